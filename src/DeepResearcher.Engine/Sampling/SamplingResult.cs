namespace DeepResearcher.Engine.Sampling;

/// <summary>
/// What one request generated. <see cref="LogProbs"/>[i] is log π(TokenIds[i]) at temperature 1 without top-k/top-p
/// (the policy's own log-probability, for GRPO ratios); <see cref="SamplingLogProbs"/>[i] is under the distribution
/// actually sampled from. A stop token, when it ended the generation, is the last id.
/// </summary>
public sealed record SamplingResult(
    int[] TokenIds,
    float[] LogProbs,
    float[] SamplingLogProbs,
    FinishReason FinishReason,
    string? Text,
    string? StopString);
