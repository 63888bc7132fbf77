namespace DeepResearcher.Serving.Wire;

/// <summary>Chat logprobs: one entry per generated token.</summary>
public sealed record ChatLogProbs(IReadOnlyList<TokenLogProbOut> Content);
