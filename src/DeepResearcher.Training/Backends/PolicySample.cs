using DeepResearcher.Engine.Sampling;

namespace DeepResearcher.Training.Backends;

/// <summary>
/// One sampled continuation: its token ids with log π(token) at temperature 1 (what the GRPO ratio needs), why it
/// stopped, and the weight version it was sampled with, so a trainer can check that its rollouts are on-policy.
/// </summary>
public sealed record PolicySample(int[] TokenIds, float[] LogProbs, StopReason StopReason, long WeightVersion);
