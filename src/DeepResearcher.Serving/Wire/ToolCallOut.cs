namespace DeepResearcher.Serving.Wire;

/// <summary>An OpenAI tool call: arguments are a JSON string, as the API defines them. <see cref="Index"/> is set in stream deltas only.</summary>
public sealed record ToolCallOut(string Id, FunctionCallOut Function)
{
    public string Type => "function";

    public int? Index { get; init; }
}
