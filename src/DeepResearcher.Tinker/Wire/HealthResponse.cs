using System.Text.Json.Serialization;

namespace DeepResearcher.Tinker.Wire;

/// <summary>GET /api/v1/healthz's answer. (SDK <c>types/health_response.py</c>)</summary>
public sealed record HealthResponse
{
    [JsonPropertyName("status")]
    public string Status { get; init; } = "ok";
}
