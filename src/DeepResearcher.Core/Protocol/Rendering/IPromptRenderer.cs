namespace DeepResearcher.Core.Protocol.Rendering;

/// <summary>
/// A model family's chat template. The research agent renders the conversation incrementally with
/// <see cref="RenderPrompt"/>, <see cref="AssistantTurnStart"/>, <see cref="EndOfTurn"/> and <see cref="ToolResponseTurn"/>,
/// and the pieces concatenate to exactly what <see cref="Render"/> gives for the whole conversation.
/// </summary>
public interface IPromptRenderer
{
    /// <summary>Short name used in configs and trajectories (<c>qwen2.5</c>, <c>llama3</c>).</summary>
    string Name { get; }

    /// <summary>Opens an assistant turn (the template's generation prompt).</summary>
    string AssistantTurnStart { get; }

    /// <summary>Closes a turn; the policy generates it at the end of its own turns.</summary>
    string EndOfTurn { get; }

    /// <summary>Renders a whole conversation as the model's own chat template would.</summary>
    string Render(IReadOnlyList<ChatMessage> messages, IReadOnlyList<ToolSchema>? tools, bool addGenerationPrompt);

    /// <summary>The system message's content with the tools block folded in, for chat APIs that are sent no <c>tools</c> parameter.</summary>
    string SystemContent(string systemPrompt, IReadOnlyList<ToolSchema> tools);

    /// <summary>The content of a user message that carries a tool response (what the template makes of a <c>tool</c> message).</summary>
    string ToolResponseContent(string observation);

    /// <summary>Everything from the end of the policy's turn up to the next <see cref="AssistantTurnStart"/>: the tool response turn.</summary>
    string ToolResponseTurn(string observation);

    /// <summary>The opening prompt: system (with tools), the user's question and the generation prompt.</summary>
    string RenderPrompt(string systemPrompt, IReadOnlyList<ToolSchema> tools, string question);
}
