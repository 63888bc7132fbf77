using System.Text.Json.Serialization;

namespace DeepResearcher.Tinker.Wire;

/// <summary>Token ids of a model input. (SDK <c>types/encoded_text_chunk.py</c>)</summary>
public sealed record EncodedTextChunk
{
    [JsonPropertyName("tokens")]
    public IReadOnlyList<int> Tokens { get; init; } = [];

    [JsonPropertyName("type")]
    public string Type { get; init; } = "encoded_text";
}
