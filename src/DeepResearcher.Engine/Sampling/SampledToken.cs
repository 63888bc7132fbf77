namespace DeepResearcher.Engine.Sampling;

/// <summary>
/// One sampled token. <see cref="LogProb"/> is log π(token) under the model's unmodified distribution
/// (softmax of the logits at temperature 1, no top-k/top-p): what a GRPO ratio needs. <see cref="SamplingLogProb"/>
/// is its log-probability under the distribution actually sampled from (after temperature, top-k and top-p);
/// 0 for greedy picks.
/// </summary>
public readonly record struct SampledToken(int Id, float LogProb, float SamplingLogProb);
