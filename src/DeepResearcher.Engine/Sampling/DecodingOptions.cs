namespace DeepResearcher.Engine.Sampling;

/// <summary>
/// The decoder's settings for one request: how to pick tokens and when to stop (stop ids and strings, a token budget,
/// the request's seed). Filters apply in the order temperature → top-k → top-p, as in Hugging Face. Named apart from
/// the agent's per-turn <c>Core.Agent.SamplingOptions</c> (what any chat model is asked for): the engine policy maps
/// that one onto this one, adding the chat template's end-of-turn stop id and a per-trajectory seed.
/// </summary>
public sealed record DecodingOptions
{
    /// <summary>Divides the logits before softmax; 0 means greedy (argmax).</summary>
    public float Temperature { get; init; } = 1f;

    /// <summary>Nucleus sampling: keep the most likely tokens until their probability reaches this mass; 1 disables it.</summary>
    public float TopP { get; init; } = 1f;

    /// <summary>Keep only the K most likely tokens; 0 disables it.</summary>
    public int TopK { get; init; }

    public int MaxNewTokens { get; init; } = 256;

    /// <summary>Generation ends after any of these ids is sampled; the stop token is part of the output.</summary>
    public IReadOnlyList<int> StopTokenIds { get; init; } = [];

    /// <summary>Generation ends once the decoded output contains any of these; needs a tokenizer.</summary>
    public IReadOnlyList<string> StopStrings { get; init; } = [];

    /// <summary>Seed of this request's own random stream: the same seed and prompt give the same tokens whatever else runs. Null picks one.</summary>
    public int? Seed { get; init; }

    /// <summary>
    /// How many of the most likely tokens (under the model's unmodified distribution) to report with each sampled
    /// token, for clients that show alternatives (OpenAI's <c>top_logprobs</c>); 0 reports none. Does not change what is sampled.
    /// </summary>
    public int TopLogProbs { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field.</summary>
    public void Validate()
    {
        if (!(Temperature >= 0) || float.IsInfinity(Temperature))
            throw new ArgumentException($"temperature must be finite and ≥ 0, got {Temperature}");
        if (!(TopP > 0 && TopP <= 1)) throw new ArgumentException($"top-p must be in (0, 1], got {TopP}");
        if (TopK < 0) throw new ArgumentException($"top-k must be ≥ 0, got {TopK}");
        if (TopLogProbs < 0) throw new ArgumentException($"top log-probs must be ≥ 0, got {TopLogProbs}");
        if (MaxNewTokens < 1) throw new ArgumentException($"max new tokens must be ≥ 1, got {MaxNewTokens}");
        foreach (var stop in StopStrings)
            if (string.IsNullOrEmpty(stop)) throw new ArgumentException("stop strings must not be empty");
    }
}
