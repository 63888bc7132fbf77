using System.Text.Json;
using System.Text.Json.Serialization;

namespace DeepResearcher.Serving.Wire;

/// <summary>How responses are written: snake_case names, absent rather than null optional fields (OpenAI's SDKs accept both).</summary>
public static class WireJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);
}
