namespace DeepResearcher.Serving.Wire;

/// <summary>One server-sent event of a streamed chat completion; the last one carries only <see cref="Usage"/> when the client asked for it.</summary>
public sealed record ChatCompletionChunk(string Id, long Created, string Model, IReadOnlyList<ChunkChoice> Choices)
{
    public string Object => "chat.completion.chunk";

    public Usage? Usage { get; init; }

    public IReadOnlyList<int>? PromptTokenIds { get; init; }
}
