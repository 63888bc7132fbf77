namespace DeepResearcher.Serving.Wire;

/// <summary>A legacy text completion (<c>POST /v1/completions</c>), streamed or whole; streamed chunks have the same shape.</summary>
public sealed record TextCompletion(string Id, long Created, string Model, IReadOnlyList<TextChoice> Choices)
{
    public string Object => "text_completion";

    public Usage? Usage { get; init; }
}
