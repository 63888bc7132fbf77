using System.Text.Json.Serialization;

namespace DeepResearcher.Tinker.Wire;

/// <summary>POST /api/v1/save_weights_for_sampler: a sampling snapshot, tinker://MODEL/sampler_weights/NAME; with sampling_session_seq_id also a sampling session over it. (SDK <c>types/save_weights_for_sampler_request.py</c>)</summary>
public sealed record SaveWeightsForSamplerRequest
{
    [JsonPropertyName("model_id")]
    public string ModelId { get; init; } = "";

    [JsonPropertyName("path")]
    public string? Path { get; init; }

    [JsonPropertyName("sampling_session_seq_id")]
    public int? SamplingSessionSeqId { get; init; }

    [JsonPropertyName("seq_id")]
    public int? SeqId { get; init; }

    [JsonPropertyName("ttl_seconds")]
    public long? TtlSeconds { get; init; }

    [JsonPropertyName("type")]
    public string Type { get; init; } = "save_weights_for_sampler";
}
