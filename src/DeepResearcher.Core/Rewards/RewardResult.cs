namespace DeepResearcher.Core.Rewards;

/// <summary>A scalar reward and, when it is the format penalty, why.</summary>
public sealed record RewardResult(double Value, string? Penalty);
