using System.Text.Json.Serialization;

namespace DeepResearcher.Tinker.Wire;

/// <summary>A base model the server trains and samples. (SDK <c>types/get_server_capabilities_response.py</c>)</summary>
public sealed record SupportedModel
{
    [JsonPropertyName("model_name")]
    public string? ModelName { get; init; }

    /// <summary>Tokens of context the model takes, when the server says.</summary>
    [JsonPropertyName("max_context_length")]
    public int? MaxContextLength { get; init; }
}
