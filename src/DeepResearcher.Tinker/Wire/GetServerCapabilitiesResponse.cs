using System.Text.Json.Serialization;

namespace DeepResearcher.Tinker.Wire;

/// <summary>GET /api/v1/get_server_capabilities's answer: the base models create_model takes. (SDK <c>types/get_server_capabilities_response.py</c>)</summary>
public sealed record GetServerCapabilitiesResponse
{
    [JsonPropertyName("supported_models")]
    public IReadOnlyList<SupportedModel> SupportedModels { get; init; } = [];
}
