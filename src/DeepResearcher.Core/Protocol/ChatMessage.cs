namespace DeepResearcher.Core.Protocol;

/// <summary>
/// One message of a conversation. <see cref="ToolCalls"/> is set on assistant messages that are stored
/// structurally (as the original re-rendered them); the research agent itself keeps the raw generated text in
/// <see cref="Content"/> so that nothing the policy wrote is lost.
/// </summary>
public sealed record ChatMessage(ChatRole Role, string Content, IReadOnlyList<ToolCall>? ToolCalls = null, string? Name = null)
{
    public static ChatMessage System(string content) => new(ChatRole.System, content);

    public static ChatMessage User(string content) => new(ChatRole.User, content);

    public static ChatMessage Assistant(string content, IReadOnlyList<ToolCall>? toolCalls = null) => new(ChatRole.Assistant, content, toolCalls);

    public static ChatMessage Tool(string name, string content) => new(ChatRole.Tool, content, null, name);
}
