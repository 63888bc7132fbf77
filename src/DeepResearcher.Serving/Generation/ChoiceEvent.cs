using DeepResearcher.Engine.Sampling;

namespace DeepResearcher.Serving.Generation;

/// <summary>What happened to one choice: a sampled token, or its end (with the sampler's result).</summary>
internal readonly record struct ChoiceEvent(int Choice, SampledToken Token, SamplingResult? Result);
