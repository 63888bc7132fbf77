using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DeepResearcher.Core.Agent;
using DeepResearcher.Core.Protocol;
using DeepResearcher.Core.Protocol.Observations;
using DeepResearcher.Web.Remote;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace DeepResearcher.Web.Mcp;

/// <summary>
/// An <see cref="IToolbox"/> whose tools come from a Model Context Protocol server: <c>web_search</c> and
/// <c>browse_webpage</c> calls become <c>tools/call</c> requests to the tools they are bound to. A server that answers
/// with this project's structured result (<c>tools serve --mcp</c>) gives the very observations the REST client gets;
/// any other server's text is shown to the model as the tool wrote it. Every failure of a call (an error result, a
/// refused request, a dropped connection, a timeout) is a soft failure the agent reads.
/// </summary>
public sealed class McpToolbox : IToolbox, IAsyncDisposable
{
    /// <summary>The request metadata key (<c>_meta</c>) of the trajectory id: tool state (latest results, reading positions) is kept per trajectory.</summary>
    public const string TrajectoryIdMetaKey = "deepresearcher/trajectory_id";

    /// <summary>The request metadata key of the main question the page reader reads with.</summary>
    public const string QuestionMetaKey = "deepresearcher/question";

    private readonly McpToolboxOptions _options;
    private readonly McpToolBinding _search;
    private readonly McpToolBinding? _browse;

    /// <summary>Opens a new session after the old one broke (the server restarted, the session expired); null for transports that cannot be reopened.</summary>
    private readonly Func<CancellationToken, Task<Session>>? _reopen;
    private readonly SemaphoreSlim _reopening = new(1, 1);
    private Session _session;

    private McpToolbox(Session session, Func<CancellationToken, Task<Session>>? reopen, McpToolboxOptions options, McpToolBinding search, McpToolBinding? browse, IReadOnlyList<string> offered)
    {
        _session = session;
        _reopen = reopen;
        _options = options;
        _search = search;
        _browse = browse;
        OfferedTools = offered;
        ServerName = session.Client.ServerInfo is { } info ? $"{info.Name} {info.Version}".Trim() : "(unnamed)";
    }

    /// <summary>The names of the tools the server lists.</summary>
    public IReadOnlyList<string> OfferedTools { get; }

    /// <summary>The server's name and version, as it introduced itself.</summary>
    public string ServerName { get; }

    /// <summary>The bindings, for logs: "web_search → search(query), browse_webpage → fetch(url)".</summary>
    public string Bindings => $"web_search → {Describe(_search)}, browse_webpage → {(_browse is null ? "none" : Describe(_browse))}";

    /// <summary>
    /// Connects to the streamable-HTTP MCP endpoint at <paramref name="endpoint"/> (e.g. <c>http://127.0.0.1:5000/mcp</c>);
    /// a session that breaks later (the server restarted) is reopened once per failed call.
    /// </summary>
    public static async Task<McpToolbox> ConnectAsync(Uri endpoint, McpToolboxOptions options, CancellationToken cancellationToken)
    {
        Task<Session> Open(CancellationToken ct)
        {
            var transport = new HttpClientTransport(new HttpClientTransportOptions
            {
                Endpoint = endpoint,
                TransportMode = HttpTransportMode.StreamableHttp,
                ConnectionTimeout = options.ConnectTimeout,
                Name = endpoint.ToString(),
            });
            return OpenAsync(transport, endpoint.ToString(), transport, options, ct);
        }

        return await BindAsync(await Open(cancellationToken), Open, endpoint.ToString(), options, cancellationToken);
    }

    /// <summary>
    /// Connects over any transport (stdio to a local server, in-memory streams), lists the server's tools and binds
    /// the agent's two tools to them; a server without them is an error naming what it offers.
    /// </summary>
    public static async Task<McpToolbox> ConnectAsync(IClientTransport transport, string where, IAsyncDisposable? ownedTransport, McpToolboxOptions options, CancellationToken cancellationToken)
        => await BindAsync(await OpenAsync(transport, where, ownedTransport, options, cancellationToken), null, where, options, cancellationToken);

    private static async Task<Session> OpenAsync(IClientTransport transport, string where, IAsyncDisposable? ownedTransport, McpToolboxOptions options, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.ConnectTimeout);
        try
        {
            McpClient client = await McpClient.CreateAsync(transport, new McpClientOptions
            {
                ClientInfo = new Implementation { Name = "deepresearcher", Version = typeof(McpToolbox).Assembly.GetName().Version?.ToString(3) ?? "0" },
                InitializationTimeout = options.ConnectTimeout,
            }, cancellationToken: deadline.Token);
            return new Session(client, ownedTransport);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            if (ownedTransport is not null)
            {
                await ownedTransport.DisposeAsync();
            }

            string cause = ex is OperationCanceledException ? $"no answer within {options.ConnectTimeout.TotalSeconds:0} s" : Cause(ex);
            throw new McpToolboxException($"no MCP server answers at {where} ({cause})", inner: ex);
        }
    }

    private static async Task<McpToolbox> BindAsync(Session session, Func<CancellationToken, Task<Session>>? reopen, string where, McpToolboxOptions options, CancellationToken cancellationToken)
    {
        try
        {
            IList<McpClientTool> tools = await session.Client.ListToolsAsync(cancellationToken: cancellationToken);
            string[] offered = [.. tools.Select(t => t.Name)];
            McpToolBinding search = Bind(tools, options.SearchTool, ResearchTools.WebSearchName, "query", where, offered);
            McpToolBinding? browse = options.BrowseTool is null ? null : Bind(tools, options.BrowseTool, ResearchTools.BrowseWebpageName, "url_list", where, offered);
            return new McpToolbox(session, reopen, options, search, browse, offered);
        }
        catch
        {
            await session.DisposeAsync();
            throw;
        }
    }

    public async Task<ToolResult> ExecuteAsync(ToolCall call, ToolContext context, CancellationToken cancellationToken)
    {
        McpToolBinding? binding = call.Name switch
        {
            ResearchTools.WebSearchName => _search,
            ResearchTools.BrowseWebpageName => _browse,
            _ => null,
        };
        if (binding is null)
        {
            return ToolResult.Failure(call.Name == ResearchTools.BrowseWebpageName
                ? $"browse_webpage is not available: the MCP server {ServerName} has no tool bound to it (it offers {string.Join(", ", OfferedTools)})"
                : $"unknown tool '{call.Name}'; use web_search or browse_webpage");
        }

        IReadOnlyList<string> items = call.Name == ResearchTools.WebSearchName ? call.Queries : call.Urls;
        if (items.Count == 0)
        {
            return ToolResult.Failure(call.Name == ResearchTools.WebSearchName ? "web_search needs at least one query" : "browse_webpage needs at least one URL");
        }

        var meta = new JsonObject
        {
            [TrajectoryIdMetaKey] = (_options.TrajectoryIdPrefix ?? string.Empty) + context.TrajectoryId,
            [QuestionMetaKey] = context.Question,
        };

        if (binding.TakesList)
        {
            Answer answer = await CallAsync(binding, JsonSerializer.SerializeToElement(items), meta, cancellationToken);
            return answer.Structured ?? (answer.IsError ? ToolResult.Failure($"{call.Name} failed on the MCP server: {answer.Text}") : new ToolResult(new TextObservation(answer.Text)));
        }

        // One call per query (or URL): the tool takes a single string. Sections label each one, so the model can tell
        // which text answers which query.
        var answers = new List<(string Item, Answer Answer)>(items.Count);
        foreach (string item in items)
        {
            answers.Add((item, await CallAsync(binding, JsonSerializer.SerializeToElement(item), meta, cancellationToken)));
        }

        if (answers.All(a => a.Answer.IsError))
        {
            return ToolResult.Failure($"{call.Name} failed on the MCP server: {string.Join("; ", answers.Select(a => a.Answer.Text))}");
        }

        if (answers.Count == 1)
        {
            return new ToolResult(new TextObservation(answers[0].Answer.Text));
        }

        var text = new StringBuilder();
        foreach ((string item, Answer answer) in answers)
        {
            text.Append(text.Length == 0 ? string.Empty : "\n\n").Append('[').Append(binding.Argument).Append(": ").Append(item).Append(answer.IsError ? "] error: " : "]\n").Append(answer.Text);
        }

        return new ToolResult(new TextObservation(text.ToString()));
    }

    public async ValueTask DisposeAsync()
    {
        await _session.DisposeAsync();
        _reopening.Dispose();
    }

    private async Task<Answer> CallAsync(McpToolBinding binding, JsonElement value, JsonObject meta, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.CallTimeout);
        CallToolResult result;
        for (int attempt = 0; ; attempt++)
        {
            Session session = Volatile.Read(ref _session);
            try
            {
                result = await session.Client.CallToolAsync(new CallToolRequestParams
                {
                    Name = binding.RemoteName,
                    Arguments = new Dictionary<string, JsonElement> { [binding.Argument] = value },
                    Meta = (JsonObject)meta.DeepClone(),
                }, deadline.Token);
                break;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return Answer.Error($"'{binding.RemoteName}' gave no answer within {_options.CallTimeout.TotalSeconds:0} s");
            }
            catch (McpProtocolException ex)
            {
                return Answer.Error($"the server refused the call to '{binding.RemoteName}' ({ex.ErrorCode}): {ex.Message}");
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                if (attempt == 0 && await ReopenAsync(session, deadline.Token))
                {
                    continue;
                }

                // A dropped connection or a closed session that would not reopen: the call fails, the run goes on.
                return Answer.Error($"calling '{binding.RemoteName}' failed: {Cause(ex)}");
            }
        }

        string text = string.Join("\n", result.Content.Select(c => c is TextContentBlock t ? t.Text : $"[{c.Type} content]"));
        if (result.StructuredContent is { ValueKind: JsonValueKind.Object } structured
            && JsonNode.Parse(structured.GetRawText()) is JsonObject json
            && json["observation"] is JsonObject { } observation && observation["type"] is JsonValue)
        {
            try
            {
                return new Answer(text, result.IsError == true, ToolWireFormat.ResultFromJson(json));
            }
            catch (Exception ex) when (ex is FormatException or InvalidOperationException)
            {
                // Not our format after all: fall back to the text.
            }
        }

        return new Answer(text, result.IsError == true, null);
    }

    /// <summary>Replaces a broken session with a new one (once, however many calls saw it break); false when none opens.</summary>
    private async Task<bool> ReopenAsync(Session broken, CancellationToken cancellationToken)
    {
        if (_reopen is null)
        {
            return false;
        }

        try
        {
            await _reopening.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }

        try
        {
            if (!ReferenceEquals(Volatile.Read(ref _session), broken))
            {
                return true;
            }

            Session fresh;
            try
            {
                fresh = await _reopen(cancellationToken);
            }
            catch (Exception ex) when (ex is McpToolboxException or OperationCanceledException)
            {
                return false;
            }

            Volatile.Write(ref _session, fresh);
            await broken.DisposeAsync();
            return true;
        }
        finally
        {
            _reopening.Release();
        }
    }

    private static McpToolBinding Bind(IList<McpClientTool> tools, string remoteName, string agentTool, string agentArgument, string where, string[] offered)
    {
        McpClientTool? tool = tools.FirstOrDefault(t => t.Name == remoteName);
        if (tool is null)
        {
            string list = offered.Length == 0 ? "no tools at all" : "only " + string.Join(", ", offered);
            throw new McpToolboxException($"the MCP server at {where} has no tool '{remoteName}' for {agentTool}: it offers {list}", agentTool);
        }

        return McpToolBinding.FromSchema(remoteName, tool.ProtocolTool.InputSchema, agentArgument, out string? problem)
            ?? throw new McpToolboxException($"{problem}, so it cannot serve {agentTool}", agentTool);
    }

    private static string Describe(McpToolBinding binding) => $"{binding.RemoteName}({binding.Argument}{(binding.TakesList ? "[]" : string.Empty)})";

    /// <summary>The exception's message and its innermost cause's ("Connection refused"), without type names: the user reads it.</summary>
    private static string Cause(Exception ex)
    {
        Exception inner = ex;
        while (inner.InnerException is not null)
        {
            inner = inner.InnerException;
        }

        return inner == ex || ex.Message.Contains(inner.Message, StringComparison.Ordinal) ? ex.Message : $"{ex.Message}: {inner.Message}";
    }

    /// <summary>One MCP session and the transport it owns.</summary>
    private sealed record Session(McpClient Client, IAsyncDisposable? Transport) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await Client.DisposeAsync();
            }
            finally
            {
                if (Transport is not null)
                {
                    await Transport.DisposeAsync();
                }
            }
        }
    }

    private sealed record Answer(string Text, bool IsError, ToolResult? Structured)
    {
        public static Answer Error(string message) => new(message, true, null);
    }
}
