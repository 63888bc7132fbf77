namespace DeepResearcher.Evaluation.Scoring;

/// <summary>Mean scores over a set of questions (0–1).</summary>
public sealed record MetricSummary(int Count, double ExactMatch, double F1, double SetF1, double CoverExactMatch);
