namespace DeepResearcher.Engine.Sampling;

/// <summary>
/// One sampled token. <see cref="LogProb"/> is log π(token) under the model's unmodified distribution
/// (softmax of the logits at temperature 1, no top-k/top-p): what a GRPO ratio needs. <see cref="SamplingLogProb"/>
/// is its log-probability under the distribution actually sampled from (after temperature, top-k and top-p);
/// 0 for greedy picks.
/// </summary>
public readonly record struct SampledToken(int Id, float LogProb, float SamplingLogProb)
{
    // Null in default(SampledToken) too, hence the getter's fallback.
    private readonly IReadOnlyList<TokenLogProb>? _topLogProbs;

    /// <summary>
    /// The <see cref="SamplingOptions.TopLogProbs"/> most likely tokens at this step and their log π (temperature 1),
    /// most likely first, ties by lower id; empty when none were asked for.
    /// </summary>
    public IReadOnlyList<TokenLogProb> TopLogProbs
    {
        get => _topLogProbs ?? [];
        init => _topLogProbs = value;
    }
}
