namespace DeepResearcher.Training.Backends;

/// <summary>
/// What one forward-backward call measured (Tinker's <c>metrics</c>), typed: the loss over all its data, and for the
/// GRPO loss its parts, each a token mean (the policy term aggregated as the loss is).
/// </summary>
public sealed record ForwardBackwardResult(double Loss)
{
    public double PolicyLoss { get; init; }

    public double Kl { get; init; }

    public double ClipFraction { get; init; }

    public double Entropy { get; init; }
}
