using System.Text.Json;
using System.Text.Json.Nodes;
using DeepResearcher.Core.Protocol;

namespace DeepResearcher.Serving.Requests;

/// <summary>
/// A <c>POST /v1/chat/completions</c> body, read into the project's own message and tool types so the chat template
/// renders it exactly as it renders the agent's conversations. Unknown fields are ignored, as OpenAI's SDKs expect.
/// </summary>
public sealed record ChatRequest
{
    public required string Model { get; init; }

    public required IReadOnlyList<ChatMessage> Messages { get; init; }

    /// <summary>Null when the request has no tools: the reply is then the model's text as written, tags and all.</summary>
    public IReadOnlyList<ToolSchema>? Tools { get; init; }

    /// <summary>Parse <c>&lt;tool_call&gt;</c> and <c>&lt;think&gt;</c> into <c>tool_calls</c> and <c>reasoning_content</c> (tools given, tool_choice not "none").</summary>
    public bool ParseToolCalls { get; init; }

    public required SamplingFields Sampling { get; init; }

    public bool Stream { get; init; }

    public bool IncludeUsage { get; init; }

    /// <summary>vLLM: continue the last (assistant) message instead of opening a new turn.</summary>
    public bool ContinueFinalMessage { get; init; }

    /// <summary>vLLM: open the assistant's turn after the messages (the default).</summary>
    public bool AddGenerationPrompt { get; init; } = true;

    public static ChatRequest Read(JsonObject body, ServingOptions limits)
    {
        ArgumentNullException.ThrowIfNull(body);
        string model = JsonFields.String(body, "model") ?? throw ServingException.BadRequest("'model' is required; GET /v1/models lists the served models", "model");
        if (body["messages"] is not JsonArray messages)
        {
            throw body["messages"] is null ? ServingException.BadRequest("'messages' is required: a list of {\"role\", \"content\"}", "messages") : JsonFields.WrongType("messages", "a list of messages", body["messages"]);
        }
        if (messages.Count == 0)
        {
            throw ServingException.BadRequest("'messages' is empty; send at least one message", "messages");
        }

        var read = new List<ChatMessage>(messages.Count);
        for (int i = 0; i < messages.Count; i++)
        {
            read.Add(ReadMessage(messages[i], i));
        }

        IReadOnlyList<ToolSchema>? tools = ReadTools(body);
        bool parseTools = tools is { Count: > 0 };
        JsonNode? choice = body["tool_choice"];
        if (choice is not null)
        {
            string? mode = choice is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
            if (mode == "none")
            {
                parseTools = false;
            }
            else if (mode != "auto")
            {
                throw ServingException.BadRequest("'tool_choice' may be \"auto\" or \"none\"; this server cannot force a call (\"required\" or a named function), which needs guided decoding", "tool_choice", "unsupported_parameter");
            }
        }

        bool continueFinal = JsonFields.Bool(body, "continue_final_message") ?? false;
        bool addGenerationPrompt = JsonFields.Bool(body, "add_generation_prompt") ?? !continueFinal;
        if (continueFinal && addGenerationPrompt)
        {
            throw ServingException.BadRequest("'continue_final_message' and 'add_generation_prompt' cannot both be true; set add_generation_prompt to false", "continue_final_message");
        }
        if (continueFinal && read[^1].Role != ChatRole.Assistant)
        {
            throw ServingException.BadRequest("'continue_final_message' continues the last message, which must then be the assistant's", "continue_final_message");
        }

        if (JsonFields.Object(body, "response_format") is { } format && (string?)format["type"] is { } formatType && formatType != "text")
        {
            throw ServingException.BadRequest($"'response_format' {formatType} is not supported (it needs guided decoding); leave it out or use \"text\"", "response_format", "unsupported_parameter");
        }

        bool stream = JsonFields.Bool(body, "stream") ?? false;
        JsonObject? streamOptions = JsonFields.Object(body, "stream_options");
        return new ChatRequest
        {
            Model = model,
            Messages = read,
            Tools = tools,
            ParseToolCalls = parseTools,
            Sampling = SamplingFields.Read(body, limits, chat: true),
            Stream = stream,
            IncludeUsage = streamOptions is not null && (JsonFields.Bool(streamOptions, "include_usage") ?? false),
            ContinueFinalMessage = continueFinal,
            AddGenerationPrompt = addGenerationPrompt,
        };
    }

    private static ChatMessage ReadMessage(JsonNode? node, int index)
    {
        string param = $"messages[{index}]";
        if (node is not JsonObject message)
        {
            throw JsonFields.WrongType(param, "an object {\"role\", \"content\"}", node);
        }
        string role = JsonFields.String(message, "role") ?? throw ServingException.BadRequest($"{param} has no 'role'", $"{param}.role");
        string content = ReadContent(message, param);
        switch (role)
        {
            case "system":
            case "developer":
                return ChatMessage.System(content);
            case "user":
                return ChatMessage.User(content);
            case "tool":
                return ChatMessage.Tool(JsonFields.String(message, "name") ?? JsonFields.String(message, "tool_call_id") ?? "tool", content);
            case "assistant":
                return ChatMessage.Assistant(content, ReadToolCalls(message, param));
            default:
                throw ServingException.BadRequest($"{param} has role '{role}'; use system, developer, user, assistant or tool", $"{param}.role");
        }
    }

    private static string ReadContent(JsonObject message, string param)
    {
        JsonNode? content = message["content"];
        switch (content)
        {
            case null:
                return string.Empty;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                return value.GetValue<string>();
            case JsonArray parts:
                var text = new System.Text.StringBuilder();
                foreach (JsonNode? part in parts)
                {
                    string? type = part is JsonObject o ? (string?)o["type"] : null;
                    if (type != "text" || part!["text"] is not JsonValue t || t.GetValueKind() != JsonValueKind.String)
                    {
                        throw ServingException.BadRequest($"{param}.content has a part of type '{type ?? JsonFields.Kind(part)}'; this text model reads only {{\"type\": \"text\", \"text\": …}} parts", $"{param}.content");
                    }
                    text.Append(t.GetValue<string>());
                }

                return text.ToString();
            default:
                throw JsonFields.WrongType($"{param}.content", "a string or a list of text parts", content);
        }
    }

    private static List<ToolCall>? ReadToolCalls(JsonObject message, string param)
    {
        if (message["tool_calls"] is not JsonArray calls || calls.Count == 0)
        {
            return null;
        }
        var read = new List<ToolCall>(calls.Count);
        for (int i = 0; i < calls.Count; i++)
        {
            string callParam = $"{param}.tool_calls[{i}]";
            if (calls[i] is not JsonObject call || call["function"] is not JsonObject function)
            {
                throw ServingException.BadRequest($"{callParam} must be {{\"type\": \"function\", \"function\": {{\"name\", \"arguments\"}}}}", callParam);
            }
            string name = JsonFields.String(function, "name") ?? throw ServingException.BadRequest($"{callParam}.function has no 'name'", callParam);
            JsonObject arguments = function["arguments"] switch
            {
                null => [],
                JsonObject direct => (JsonObject)direct.DeepClone(),
                JsonValue text when text.GetValueKind() == JsonValueKind.String => ParseArguments(text.GetValue<string>(), callParam),
                var other => throw JsonFields.WrongType($"{callParam}.function.arguments", "a JSON object as a string", other),
            };
            read.Add(new ToolCall(name, arguments));
        }

        return read;
    }

    private static JsonObject ParseArguments(string json, string param)
    {
        try
        {
            return JsonNode.Parse(json.Length == 0 ? "{}" : json) as JsonObject
                ?? throw ServingException.BadRequest($"{param}.function.arguments must encode a JSON object", param);
        }
        catch (JsonException e)
        {
            throw ServingException.BadRequest($"{param}.function.arguments is not valid JSON ({e.Message})", param);
        }
    }

    private static List<ToolSchema>? ReadTools(JsonObject body)
    {
        JsonNode? node = body["tools"];
        if (node is null)
        {
            return null;
        }
        if (node is not JsonArray tools)
        {
            throw JsonFields.WrongType("tools", "a list of {\"type\": \"function\", \"function\": …}", node);
        }
        var read = new List<ToolSchema>(tools.Count);
        for (int i = 0; i < tools.Count; i++)
        {
            if (tools[i] is not JsonObject tool || tool["function"] is not JsonObject function || JsonFields.String(function, "name") is not { } name)
            {
                throw ServingException.BadRequest($"tools[{i}] must be {{\"type\": \"function\", \"function\": {{\"name\", \"description\", \"parameters\"}}}}", $"tools[{i}]");
            }
            JsonObject parameters = function["parameters"] as JsonObject ?? new JsonObject { ["type"] = "object", ["properties"] = new JsonObject() };
            read.Add(new ToolSchema(name, JsonFields.String(function, "description") ?? string.Empty, (JsonObject)parameters.DeepClone()));
        }

        return read;
    }
}
