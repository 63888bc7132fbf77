using System.Text.Json.Serialization;

namespace DeepResearcher.Tinker.Wire;

/// <summary>The result of save_weights. (SDK <c>types/save_weights_response.py</c>)</summary>
public sealed record SaveWeightsResponse
{
    /// <summary>The tinker:// path to load_weights from.</summary>
    [JsonPropertyName("path")]
    public string Path { get; init; } = "";

    [JsonPropertyName("type")]
    public string? Type { get; init; }
}
