using System.Text.Json.Serialization;

namespace DeepResearcher.Tinker.Wire;

/// <summary>The result of load_weights. (SDK <c>types/_pydantic_types/load_weights_response.py</c>)</summary>
public sealed record LoadWeightsResponse
{
    [JsonPropertyName("path")]
    public string? Path { get; init; }

    [JsonPropertyName("model_id")]
    public string? ModelId { get; init; }

    [JsonPropertyName("type")]
    public string? Type { get; init; }
}
