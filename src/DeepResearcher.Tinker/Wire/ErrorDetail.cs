using System.Text.Json.Serialization;

namespace DeepResearcher.Tinker.Wire;

/// <summary>An HTTP error body as FastAPI (SkyRL tx) writes it. (SDK <c>skyrl/tinker/api.py (HTTPException)</c>)</summary>
public sealed record ErrorDetail
{
    [JsonPropertyName("detail")]
    public string Detail { get; init; } = "";
}
