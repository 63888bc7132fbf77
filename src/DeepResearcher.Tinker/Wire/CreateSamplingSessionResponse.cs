using System.Text.Json.Serialization;

namespace DeepResearcher.Tinker.Wire;

/// <summary>The new sampling session. (SDK <c>types/create_sampling_session_response.py</c>)</summary>
public sealed record CreateSamplingSessionResponse
{
    [JsonPropertyName("type")]
    public string Type { get; init; } = "create_sampling_session";

    [JsonPropertyName("sampling_session_id")]
    public string SamplingSessionId { get; init; } = "";
}
