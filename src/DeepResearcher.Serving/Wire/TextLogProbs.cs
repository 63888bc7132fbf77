namespace DeepResearcher.Serving.Wire;

/// <summary>Legacy completions logprobs: parallel lists over the returned tokens.</summary>
public sealed record TextLogProbs(
    IReadOnlyList<string> Tokens,
    IReadOnlyList<float?> TokenLogprobs,
    IReadOnlyList<IReadOnlyDictionary<string, float>?> TopLogprobs,
    IReadOnlyList<int> TextOffset);
