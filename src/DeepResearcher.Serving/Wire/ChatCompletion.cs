namespace DeepResearcher.Serving.Wire;

/// <summary>
/// A non-streamed chat completion. <see cref="PromptTokenIds"/> is vLLM's <c>return_token_ids</c> extension: the
/// exact prompt ids, so RL clients need not re-tokenise.
/// </summary>
public sealed record ChatCompletion(string Id, long Created, string Model, IReadOnlyList<ChatChoice> Choices, Usage Usage)
{
    public string Object => "chat.completion";

    public IReadOnlyList<int>? PromptTokenIds { get; init; }
}
