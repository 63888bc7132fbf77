namespace DeepResearcher.Evaluation.Judging;

/// <summary>What judging a run did.</summary>
public sealed record RunJudgingSummary(int Judged, int ExactMatches, int NoAnswers, int FromCache, int JudgeCalls, int Failures, int AlreadyJudged);
