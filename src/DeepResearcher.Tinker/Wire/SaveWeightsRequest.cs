using System.Text.Json.Serialization;

namespace DeepResearcher.Tinker.Wire;

/// <summary>POST /api/v1/save_weights: weights and optimizer state as a resumable checkpoint, tinker://MODEL/weights/PATH. (SDK <c>types/save_weights_request.py</c>)</summary>
public sealed record SaveWeightsRequest
{
    [JsonPropertyName("model_id")]
    public string ModelId { get; init; } = "";

    /// <summary>The checkpoint's name.</summary>
    [JsonPropertyName("path")]
    public string? Path { get; init; }

    [JsonPropertyName("seq_id")]
    public int? SeqId { get; init; }

    [JsonPropertyName("ttl_seconds")]
    public long? TtlSeconds { get; init; }

    [JsonPropertyName("overwrite")]
    public bool Overwrite { get; init; } = false;

    [JsonPropertyName("type")]
    public string Type { get; init; } = "save_weights";
}
