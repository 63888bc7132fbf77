namespace DeepResearcher.Evaluation.Filtering;

/// <summary>Why a question was dropped (or null when kept), with the evidence.</summary>
public sealed record FilterDecision(string Id, bool Kept, string? Reason, string? Evidence = null);
