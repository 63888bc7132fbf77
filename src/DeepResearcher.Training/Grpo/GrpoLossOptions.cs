namespace DeepResearcher.Training.Grpo;

/// <summary>The policy loss settings; defaults follow the original (spec §6).</summary>
public sealed record GrpoLossOptions
{
    /// <summary>PPO clip: the ratio is kept within [1 − low, 1 + high].</summary>
    public double ClipLow { get; init; } = 0.2;

    /// <summary>Equal to <see cref="ClipLow"/> in PPO; DAPO's clip-higher raises it (e.g. 0.28) to keep exploring.</summary>
    public double ClipHigh { get; init; } = 0.2;

    /// <summary>Weight of the k3 KL to the frozen reference, inside the loss (not the reward).</summary>
    public double KlCoefficient { get; init; } = 0.001;

    /// <summary>Weight of the entropy bonus: the loss subtracts this times the mean per-token entropy of the policy.</summary>
    public double EntropyCoefficient { get; init; }

    public LossAggregation Aggregation { get; init; } = LossAggregation.TokenMean;

    /// <summary>For <see cref="LossAggregation.ConstantNormalizer"/>: the max response length in tokens.</summary>
    public int MaxResponseTokens { get; init; } = 2000;
}
