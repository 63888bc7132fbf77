namespace DeepResearcher.Engine.Sampling;

/// <summary>
/// What one request generated. <see cref="LogProbs"/>[i] is log π(TokenIds[i]) at temperature 1 without top-k/top-p
/// (the policy's own log-probability, for GRPO ratios); <see cref="SamplingLogProbs"/>[i] is under the distribution
/// actually sampled from. A stop token, when it ended the generation, is the last id. <see cref="WeightVersion"/> is
/// the model's <see cref="Model.TransformerModel.WeightVersion"/> it was sampled with, so a trainer can check that its
/// rollouts are on-policy.
/// </summary>
public sealed record SamplingResult(
    int[] TokenIds,
    float[] LogProbs,
    float[] SamplingLogProbs,
    StopReason StopReason,
    string? Text,
    string? StopString)
{
    public long WeightVersion { get; init; }
}
