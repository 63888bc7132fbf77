using System.Text;
using DeepResearcher.Core.Protocol.Json;

namespace DeepResearcher.Core.Protocol.Rendering;

/// <summary>
/// A Llama-3-style template. Llama 3's own tool format differs by minor version, so the tools block is folded into
/// the system message with the same wording as Qwen's, and tool responses come back in the <c>ipython</c> role.
/// </summary>
public sealed class Llama3ChatTemplate : IPromptRenderer
{
    public static Llama3ChatTemplate Instance { get; } = new();

    public string Name => "llama3";

    public string AssistantTurnStart => "<|start_header_id|>assistant<|end_header_id|>\n\n";

    public string EndOfTurn => "<|eot_id|>";

    public string SystemContent(string systemPrompt, IReadOnlyList<ToolSchema> tools)
    {
        if (tools.Count == 0)
        {
            return systemPrompt;
        }

        var sb = new StringBuilder(systemPrompt);
        sb.Append("\n\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\nYou are provided with function signatures within <tools></tools> XML tags:\n<tools>");
        foreach (ToolSchema tool in tools)
        {
            sb.Append('\n');
            PythonJson.Write(sb, tool.ToOpenAIFunction());
        }

        sb.Append("\n</tools>\n\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call>");
        return sb.ToString();
    }

    public string ToolResponseContent(string observation) => "<tool_response>\n" + observation + "\n</tool_response>";

    public string ToolResponseTurn(string observation)
        => "<|start_header_id|>ipython<|end_header_id|>\n\n" + ToolResponseContent(observation) + "<|eot_id|>";

    public string RenderPrompt(string systemPrompt, IReadOnlyList<ToolSchema> tools, string question)
        => Render([ChatMessage.System(systemPrompt), ChatMessage.User(question)], tools, addGenerationPrompt: true);

    public string Render(IReadOnlyList<ChatMessage> messages, IReadOnlyList<ToolSchema>? tools, bool addGenerationPrompt)
    {
        var sb = new StringBuilder("<|begin_of_text|>");
        for (int i = 0; i < messages.Count; i++)
        {
            ChatMessage message = messages[i];
            string content = message.Role == ChatRole.System && i == 0 && tools is { Count: > 0 }
                ? SystemContent(message.Content, tools)
                : message.Content;
            if (message.Role == ChatRole.Assistant && message.ToolCalls is { Count: > 0 })
            {
                var withCalls = new StringBuilder(content);
                foreach (ToolCall call in message.ToolCalls)
                {
                    withCalls.Append("\n<tool_call>\n{\"name\": \"").Append(call.Name).Append("\", \"arguments\": ");
                    PythonJson.Write(withCalls, call.Arguments);
                    withCalls.Append("}\n</tool_call>");
                }

                content = withCalls.ToString();
            }

            if (message.Role == ChatRole.Tool)
            {
                sb.Append(ToolResponseTurn(content));
                continue;
            }

            string role = message.Role switch
            {
                ChatRole.System => "system",
                ChatRole.User => "user",
                _ => "assistant",
            };
            sb.Append("<|start_header_id|>").Append(role).Append("<|end_header_id|>\n\n").Append(content).Append("<|eot_id|>");
        }

        if (addGenerationPrompt)
        {
            sb.Append(AssistantTurnStart);
        }

        return sb.ToString();
    }
}
