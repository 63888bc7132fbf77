namespace DeepResearcher.Serving.Wire;

/// <summary>A generated token, its log-probability and the most likely alternatives at its step.</summary>
public sealed record TokenLogProbOut(string Token, float Logprob, IReadOnlyList<int> Bytes, IReadOnlyList<TopLogProbOut> TopLogprobs);
