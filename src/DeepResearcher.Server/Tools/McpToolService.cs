using System.Text.Json;
using System.Text.Json.Nodes;
using DeepResearcher.Core.Agent;
using DeepResearcher.Core.Protocol;
using DeepResearcher.Core.Protocol.Observations;
using DeepResearcher.Web.Mcp;
using DeepResearcher.Web.Remote;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace DeepResearcher.Server.Tools;

/// <summary>
/// The research tools as Model Context Protocol tools: <c>tools/list</c> answers <c>web_search</c> and
/// <c>browse_webpage</c> with the very schemas the policy is given (Core's <see cref="ResearchTools"/>), and
/// <c>tools/call</c> runs through the same <see cref="ToolCallRunner"/> as the REST routes. A result carries the
/// rendered observation as text (what an LLM client shows its model) and the REST result as structured content (what
/// <see cref="McpToolbox"/> reads back, so both doors give the same observations).
/// </summary>
internal sealed class McpToolService(ToolCallRunner runner)
{
    /// <summary>How the server introduces itself in the MCP handshake.</summary>
    public static Implementation Info { get; } = new()
    {
        Name = "deepresearcher-tools",
        Title = "DeepResearcher research tools",
        Version = typeof(McpToolService).Assembly.GetName().Version?.ToString(3) ?? "0",
    };

    public const string Instructions =
        "web_search runs up to a few queries and returns titles, URLs and snippets; browse_webpage reads pages whose URLs a web_search of the same trajectory returned. "
        + "Send the trajectory id in the request's _meta as \"" + McpToolbox.TrajectoryIdMetaKey + "\" (and the main question as \"" + McpToolbox.QuestionMetaKey + "\"); without it the MCP session is the trajectory.";

    private static readonly ListToolsResult Tools = new()
    {
        Tools = [.. ResearchTools.All.Select(schema => new Tool
        {
            Name = schema.Name,
            Description = schema.Description,
            InputSchema = JsonSerializer.SerializeToElement(schema.Parameters),
            Annotations = new ToolAnnotations { ReadOnlyHint = true, OpenWorldHint = true },
        })],
    };

    private static readonly ObservationFormatter Text = new(ObservationFormat.Json);

    public static ServerCapabilities Capabilities => new() { Tools = new ToolsCapability { ListChanged = false } };

    public ValueTask<ListToolsResult> ListToolsAsync(RequestContext<ListToolsRequestParams> request, CancellationToken cancellationToken)
        => ValueTask.FromResult(Tools);

    public async ValueTask<CallToolResult> CallToolAsync(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken)
    {
        CallToolRequestParams call = request.Params ?? throw new McpProtocolException("tools/call needs params with a tool \"name\"", McpErrorCode.InvalidParams);
        if (!ToolCallRunner.Serves(call.Name))
        {
            // The spec's answer to an unknown tool is a protocol error, not a tool result.
            throw new McpProtocolException($"unknown tool '{Clip(call.Name)}'; this server offers {ResearchTools.WebSearchName} and {ResearchTools.BrowseWebpageName} (see tools/list)", McpErrorCode.InvalidParams);
        }

        (ToolCall Call, ToolContext Context) parsed;
        try
        {
            parsed = ToolWireFormat.CallFromJson(new JsonObject
            {
                ["trajectory_id"] = Meta(call.Meta, McpToolbox.TrajectoryIdMetaKey) ?? "mcp-session/" + (request.Server.SessionId ?? "stdio"),
                ["question"] = Meta(call.Meta, McpToolbox.QuestionMetaKey) ?? string.Empty,
                ["arguments"] = Arguments(call.Arguments),
            }, call.Name);
        }
        catch (Exception ex) when (ex is FormatException or InvalidOperationException or JsonException)
        {
            return Refused($"{call.Name}: {ex.Message}; the arguments are {ArgumentsHint(call.Name)}");
        }

        if (runner.Refusal(parsed.Call, parsed.Context) is { } capped)
        {
            return Refused($"{call.Name}: {capped}");
        }

        if (!runner.TryEnter([parsed.Context.TrajectoryId], out string? busy))
        {
            return Refused(busy);
        }

        try
        {
            (ToolResult result, double latencyMs) = await runner.ExecuteAsync(parsed.Call, parsed.Context, cancellationToken);
            return new CallToolResult
            {
                Content = [new TextContentBlock { Text = Text.Render(result.Observation) }],
                StructuredContent = JsonSerializer.SerializeToElement(ToolWireFormat.ResultToJson(result, latencyMs)),
                IsError = result.Error is not null,
            };
        }
        finally
        {
            runner.Exit([parsed.Context.TrajectoryId]);
        }
    }

    /// <summary>The arguments as one object; a string the client sent for a list stays a string, for the parser to name.</summary>
    private static JsonObject Arguments(IDictionary<string, JsonElement>? arguments)
    {
        var json = new JsonObject();
        foreach ((string key, JsonElement value) in arguments ?? new Dictionary<string, JsonElement>())
        {
            json[key] = JsonNode.Parse(value.GetRawText());
        }

        return json;
    }

    private static string? Meta(JsonObject? meta, string key) => meta?[key] switch
    {
        null => null,
        JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
        var other => throw new FormatException($"_meta \"{key}\" must be a string (got {other.GetValueKind().ToString().ToLowerInvariant()})"),
    };

    private static string ArgumentsHint(string tool) => tool == ResearchTools.WebSearchName
        ? "{\"query\": [\"one query\", \"another\"]}"
        : "{\"url_list\": [\"a URL from this trajectory's search results\"]}";

    private static CallToolResult Refused(string message) => new()
    {
        Content = [new TextContentBlock { Text = message }],
        IsError = true,
    };

    private static string Clip(string? text) => RequestFailures.Clip(text ?? string.Empty, 100);
}
