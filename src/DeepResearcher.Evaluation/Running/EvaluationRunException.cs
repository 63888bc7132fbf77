namespace DeepResearcher.Evaluation.Running;

/// <summary>A run that cannot go on (the policy endpoint fails on every question); the message says why.</summary>
public sealed class EvaluationRunException(string message) : InvalidOperationException(message);
