namespace DeepResearcher.Core.Rewards;

/// <summary>The per-question scores: SQuAD EM and F1, the original's set-F1, and cover-EM.</summary>
public sealed record MetricScores(double ExactMatch, double F1, double SetF1, double CoverExactMatch);
