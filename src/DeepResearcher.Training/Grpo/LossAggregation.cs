namespace DeepResearcher.Training.Grpo;

public enum LossAggregation
{
    /// <summary>Mean over every policy token of the mini-batch (verl's token-mean; long responses weigh by their length).</summary>
    TokenMean,

    /// <summary>Dr.GRPO: sum over tokens divided by a constant (sequences × max response tokens), free of length bias.</summary>
    ConstantNormalizer,
}
