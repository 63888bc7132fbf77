namespace DeepResearcher.Serving.Wire;

/// <summary>An alternative token at one step and its log-probability.</summary>
public sealed record TopLogProbOut(string Token, float Logprob, IReadOnlyList<int> Bytes);
