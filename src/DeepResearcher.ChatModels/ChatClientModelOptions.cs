namespace DeepResearcher.ChatModels;

/// <summary>How <see cref="ChatClientModel"/> uses an <c>IChatClient</c>.</summary>
public sealed record ChatClientModelOptions
{
    /// <summary>The model id sent in every request's <c>ChatOptions.ModelId</c>; empty leaves it to the client's default.</summary>
    public string ModelId { get; init; } = string.Empty;

    /// <summary>The name recorded on trajectories; default the model id, else the client's default model, else its provider.</summary>
    public string Name { get; init; } = string.Empty;

    /// <summary>
    /// Whether the client continues a started assistant turn when the conversation ends with one (Anthropic's API and
    /// vLLM's <c>continue_final_message</c> do; most chat APIs start a new turn instead, so the default is no).
    /// </summary>
    public bool SupportsPrefill { get; init; }

    /// <summary>
    /// How many of the agent's stop sequences to send (the OpenAI API takes 4). The agent's turns end at
    /// <c>&lt;/tool_call&gt;</c> or <c>&lt;/answer&gt;</c>, the first two.
    /// </summary>
    public int MaxStopSequences { get; init; } = 4;
}
