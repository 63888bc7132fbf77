using System.Text.Json.Serialization;

namespace DeepResearcher.Tinker.Wire;

/// <summary>POST /api/v1/create_sampling_session: a sampler over a base model or a sampler_weights path. (SDK <c>types/create_sampling_session_request.py</c>)</summary>
public sealed record CreateSamplingSessionRequest
{
    [JsonPropertyName("session_id")]
    public string SessionId { get; init; } = "";

    [JsonPropertyName("sampling_session_seq_id")]
    public int SamplingSessionSeqId { get; init; } = 0;

    [JsonPropertyName("base_model")]
    public string? BaseModel { get; init; }

    [JsonPropertyName("model_path")]
    public string? ModelPath { get; init; }

    [JsonPropertyName("type")]
    public string Type { get; init; } = "create_sampling_session";
}
