namespace DeepResearcher.Training.Grpo;

public enum AdvantageNormalization
{
    /// <summary>GRPO: (r − mean) / (std + ε) within the group, unbiased std (the original, via verl).</summary>
    MeanStd,

    /// <summary>Dr.GRPO: r − mean, no division by the std (which over-weights near-uniform groups).</summary>
    MeanOnly,
}
