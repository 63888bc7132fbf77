namespace DeepResearcher.Training.Grpo;

/// <summary>What one GRPO update did, for the per-step log.</summary>
public sealed record GrpoStepStats(
    int Sequences,
    int PolicyTokens,
    int DroppedGroups,
    double Loss,
    double PolicyLoss,
    double Kl,
    double ClipFraction,
    double GradNorm,
    int OptimizerSteps,
    double Entropy = 0);
