using System.Text;
using DeepResearcher.Core.Protocol.Json;

namespace DeepResearcher.Core.Protocol.Rendering;

/// <summary>
/// Qwen2.5's chat template (tokenizer_config.json of Qwen2.5-*-Instruct), reproduced byte for byte so that
/// GAIR/DeepResearcher-7b, a Qwen2.5-7B-Instruct fine-tune, sees exactly the text it was trained on.
/// </summary>
public sealed class Qwen25ChatTemplate : IPromptRenderer
{
    public const string DefaultSystemPrompt = "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.";

    private const string ToolsHeader =
        "\n\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\nYou are provided with function signatures within <tools></tools> XML tags:\n<tools>";

    private const string ToolsFooter =
        "\n</tools>\n\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call>";

    public static Qwen25ChatTemplate Instance { get; } = new();

    public string Name => "qwen2.5";

    public string AssistantTurnStart => "<|im_start|>assistant\n";

    public string EndOfTurn => "<|im_end|>";

    public string SystemContent(string systemPrompt, IReadOnlyList<ToolSchema> tools)
    {
        if (tools.Count == 0)
        {
            return systemPrompt;
        }

        var sb = new StringBuilder(systemPrompt);
        sb.Append(ToolsHeader);
        foreach (ToolSchema tool in tools)
        {
            sb.Append('\n');
            PythonJson.Write(sb, tool.ToOpenAIFunction());
        }

        sb.Append(ToolsFooter);
        return sb.ToString();
    }

    public string ToolResponseContent(string observation) => "<tool_response>\n" + observation + "\n</tool_response>";

    public string ToolResponseTurn(string observation) => "\n<|im_start|>user\n" + ToolResponseContent(observation) + "<|im_end|>\n";

    public string RenderPrompt(string systemPrompt, IReadOnlyList<ToolSchema> tools, string question)
        => Render([ChatMessage.System(systemPrompt), ChatMessage.User(question)], tools, addGenerationPrompt: true);

    public string Render(IReadOnlyList<ChatMessage> messages, IReadOnlyList<ToolSchema>? tools, bool addGenerationPrompt)
    {
        var sb = new StringBuilder();
        bool hasSystem = messages.Count > 0 && messages[0].Role == ChatRole.System;
        if (tools is { Count: > 0 })
        {
            sb.Append("<|im_start|>system\n")
              .Append(SystemContent(hasSystem ? messages[0].Content : DefaultSystemPrompt, tools))
              .Append("<|im_end|>\n");
        }
        else
        {
            sb.Append("<|im_start|>system\n").Append(hasSystem ? messages[0].Content : DefaultSystemPrompt).Append("<|im_end|>\n");
        }

        for (int i = 0; i < messages.Count; i++)
        {
            ChatMessage message = messages[i];
            switch (message.Role)
            {
                case ChatRole.System when i == 0:
                    break;
                case ChatRole.User:
                case ChatRole.System:
                case ChatRole.Assistant when message.ToolCalls is not { Count: > 0 }:
                    sb.Append("<|im_start|>").Append(RoleName(message.Role)).Append('\n').Append(message.Content).Append("<|im_end|>\n");
                    break;
                case ChatRole.Assistant:
                    sb.Append("<|im_start|>assistant");
                    if (message.Content.Length > 0)
                    {
                        sb.Append('\n').Append(message.Content);
                    }

                    foreach (ToolCall call in message.ToolCalls!)
                    {
                        sb.Append("\n<tool_call>\n{\"name\": \"").Append(call.Name).Append("\", \"arguments\": ");
                        PythonJson.Write(sb, call.Arguments);
                        sb.Append("}\n</tool_call>");
                    }

                    sb.Append("<|im_end|>\n");
                    break;
                case ChatRole.Tool:
                    if (i == 0 || messages[i - 1].Role != ChatRole.Tool)
                    {
                        sb.Append("<|im_start|>user");
                    }

                    sb.Append("\n<tool_response>\n").Append(message.Content).Append("\n</tool_response>");
                    if (i == messages.Count - 1 || messages[i + 1].Role != ChatRole.Tool)
                    {
                        sb.Append("<|im_end|>\n");
                    }

                    break;
            }
        }

        if (addGenerationPrompt)
        {
            sb.Append(AssistantTurnStart);
        }

        return sb.ToString();
    }


    private static string RoleName(ChatRole role) => role switch
    {
        ChatRole.System => "system",
        ChatRole.User => "user",
        ChatRole.Assistant => "assistant",
        _ => "tool",
    };
}
