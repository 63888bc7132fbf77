using System.Text.Json.Serialization;

namespace DeepResearcher.Tinker.Wire;

/// <summary>A saved checkpoint as the listing reports it. (SDK <c>types/checkpoint.py</c>)</summary>
public sealed record Checkpoint
{
    [JsonPropertyName("checkpoint_id")]
    public string CheckpointId { get; init; } = "";

    /// <summary>training or sampler.</summary>
    [JsonPropertyName("checkpoint_type")]
    public string CheckpointType { get; init; } = "training";

    [JsonPropertyName("time")]
    public DateTimeOffset Time { get; init; } = default;

    [JsonPropertyName("tinker_path")]
    public string TinkerPath { get; init; } = "";

    [JsonPropertyName("size_bytes")]
    public long? SizeBytes { get; init; }

    [JsonPropertyName("public")]
    public bool Public { get; init; } = false;

    [JsonPropertyName("expires_at")]
    public DateTimeOffset? ExpiresAt { get; init; }
}
