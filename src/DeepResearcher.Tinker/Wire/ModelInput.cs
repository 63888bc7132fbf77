using System.Text.Json.Serialization;

namespace DeepResearcher.Tinker.Wire;

/// <summary>A sequence of chunks; this project's engine takes encoded_text chunks only. (SDK <c>types/_pydantic_types/model_input.py</c>)</summary>
public sealed record ModelInput
{
    [JsonPropertyName("chunks")]
    public IReadOnlyList<EncodedTextChunk> Chunks { get; init; } = [];
}
