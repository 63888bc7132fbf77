using System.Text.Json.Serialization;

namespace DeepResearcher.Tinker.Wire;

/// <summary>The result of create_model's future. (SDK <c>types/create_model_response.py</c>)</summary>
public sealed record CreateModelResponse
{
    [JsonPropertyName("model_id")]
    public string ModelId { get; init; } = "";

    [JsonPropertyName("type")]
    public string Type { get; init; } = "create_model";
}
