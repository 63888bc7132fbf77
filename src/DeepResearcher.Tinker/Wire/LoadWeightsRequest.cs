using System.Text.Json.Serialization;

namespace DeepResearcher.Tinker.Wire;

/// <summary>POST /api/v1/load_weights: weights (and the optimizer's state) from a save_weights path. (SDK <c>types/load_weights_request.py</c>)</summary>
public sealed record LoadWeightsRequest
{
    [JsonPropertyName("model_id")]
    public string? ModelId { get; init; }

    [JsonPropertyName("seq_id")]
    public int? SeqId { get; init; }

    [JsonPropertyName("session_id")]
    public string? SessionId { get; init; }

    [JsonPropertyName("model_seq_id")]
    public int? ModelSeqId { get; init; }

    [JsonPropertyName("base_model")]
    public string? BaseModel { get; init; }

    [JsonPropertyName("user_metadata")]
    public Dictionary<string, string>? UserMetadata { get; init; }

    [JsonPropertyName("path")]
    public string Path { get; init; } = "";

    [JsonPropertyName("optimizer")]
    public bool Optimizer { get; init; } = false;

    [JsonPropertyName("weights_access_token")]
    public string? WeightsAccessToken { get; init; }

    [JsonPropertyName("type")]
    public string Type { get; init; } = "load_weights";
}
