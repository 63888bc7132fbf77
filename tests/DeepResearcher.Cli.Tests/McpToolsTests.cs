using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DeepResearcher.Environments.Composition;
using DeepResearcher.Server.Tools;
using DeepResearcher.Testing;
using DeepResearcher.Web.Mcp;
using DeepResearcher.World.Building;
using DeepResearcher.World.Generation;
using DeepResearcher.World.Questions;
using DeepResearcher.World.Storage;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace DeepResearcher.Cli.Tests;

/// <summary>
/// MCP from the command line: <c>tools serve --mcp-stdio</c> driven by the SDK's stdio client spawning the real CLI,
/// and <c>--tools-mcp</c> on <c>research</c> and <c>eval run</c> against a tool server's <c>/mcp</c>, which scores as
/// <c>--tools-url</c> does.
/// </summary>
public sealed partial class McpToolsTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private ComposedToolbox? _tools;
    private ToolServer? _server;

    private string World => Path.Combine(_dir.Path, "world");

    private string Questions => Path.Combine(World, "questions", "dev.jsonl");

    private ToolServer Server => _server!;

    public async ValueTask InitializeAsync()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await WorldBuilder.BuildAsync(new WorldBuildOptions { OutDir = World, Seed = 8, Size = WorldSize.Tiny }, null, ct);
        // What 'tools serve --world W --mcp' runs.
        _tools = await ToolboxComposer.CreateAsync(new ToolboxSpec { WorldDir = World }, ct);
        _server = await ToolServer.StartAsync(_tools.Toolbox, new ToolServerOptions { Port = 0, ServeMcp = true }, null, ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        if (_tools is not null)
        {
            await _tools.DisposeAsync();
        }

        _dir.Dispose();
    }

    [Fact]
    public async Task Tools_serve_mcp_stdio_serves_both_tools_to_a_client_that_starts_it()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        WorldQuestion question = (await QuestionJsonl.ReadAsync(Questions, ct)).First(q => q.Type == QuestionType.OneHop);
        var stderr = new List<string>();
        var transport = new StdioClientTransport(new StdioClientTransportOptions
        {
            Command = "dotnet",
            Arguments = [typeof(DeepResearcherCli).Assembly.Location, "tools", "serve", "--world", World, "--mcp-stdio"],
            Name = "deepresearcher",
            StandardErrorLines = line =>
            {
                lock (stderr)
                {
                    stderr.Add(line);
                }
            },
        });

        await using (McpClient client = await McpClient.CreateAsync(transport, new McpClientOptions { InitializationTimeout = TimeSpan.FromMinutes(2) }, cancellationToken: ct))
        {
            IList<McpClientTool> tools = await client.ListToolsAsync(cancellationToken: ct);
            CallToolResult search = await CallAsync(client, "web_search", new JsonObject { ["query"] = new JsonArray(question.Path[0].Query) });
            string url = search.StructuredContent!.Value.GetProperty("observation").GetProperty("queries")[0].GetProperty("hits").EnumerateArray()
                .Select(h => h.GetProperty("url").GetString()!).First(u => new Uri(u).AbsolutePath == question.Path[0].Page);
            CallToolResult browse = await CallAsync(client, "browse_webpage", new JsonObject { ["url_list"] = new JsonArray(url) });
            McpProtocolException unknown = await Assert.ThrowsAsync<McpProtocolException>(async () => await CallAsync(client, "shell", []));
            CallToolResult malformed = await CallAsync(client, "browse_webpage", new JsonObject { ["url_list"] = "not a list" });
            CallToolResult after = await CallAsync(client, "web_search", new JsonObject { ["query"] = new JsonArray("anything") });

            Assert.Equal(["web_search", "browse_webpage"], tools.Select(t => t.Name));
            Assert.Contains(question.Path[0].Value, string.Join("\n", browse.Content.OfType<TextContentBlock>().Select(t => t.Text)), StringComparison.OrdinalIgnoreCase);
            Assert.Contains("unknown tool 'shell'", unknown.Message, StringComparison.Ordinal);
            Assert.True(malformed.IsError);
            Assert.Contains("\"url_list\" must be an array of strings", ((TextContentBlock)malformed.Content[0]).Text, StringComparison.Ordinal);
            Assert.NotEqual(true, after.IsError);
        }

        lock (stderr)
        {
            Assert.Contains(stderr, l => l.StartsWith("MCP tool server on stdin/stdout (offline world ", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Tools_serve_mcp_stdio_writes_nothing_but_mcp_messages_to_stdout()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        var start = new System.Diagnostics.ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[] { typeof(DeepResearcherCli).Assembly.Location, "tools", "serve", "--world", World, "--mcp-stdio" })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        Task<string> stderr = process.StandardError.ReadToEndAsync(ct);
        await process.StandardInput.WriteLineAsync("""{"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"}}}""");
        await process.StandardInput.FlushAsync(ct);
        var lines = new List<string> { (await process.StandardOutput.ReadLineAsync(ct))! };
        await process.StandardInput.WriteLineAsync("""{"jsonrpc": "2.0", "method": "notifications/initialized"}""");
        await process.StandardInput.WriteLineAsync("""{"jsonrpc": "2.0", "id": 2, "method": "tools/list"}""");
        await process.StandardInput.FlushAsync(ct);
        lines.Add((await process.StandardOutput.ReadLineAsync(ct))!);
        process.StandardInput.Close();
        lines.AddRange((await process.StandardOutput.ReadToEndAsync(ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        await process.WaitForExitAsync(ct).WaitAsync(TimeSpan.FromMinutes(2), ct);

        Assert.All(lines, l => Assert.Equal("2.0", JsonNode.Parse(l)!["jsonrpc"]!.GetValue<string>()));
        Assert.Equal("deepresearcher-tools", JsonNode.Parse(lines[0])!["result"]!["serverInfo"]!["name"]!.GetValue<string>());
        Assert.Equal(2, JsonNode.Parse(lines[1])!["result"]!["tools"]!.AsArray().Count);
        Assert.Contains("MCP tool server on stdin/stdout", await stderr, StringComparison.Ordinal);
        Assert.Equal(0, process.ExitCode);
    }

    [Fact]
    public async Task Research_answers_through_an_mcp_server()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        WorldQuestion question = (await QuestionJsonl.ReadAsync(Questions, ct)).First(q => q.Type == QuestionType.OneHop);
        QuestionStep step = question.Path[0];
        await using ScriptedOpenAIServer model = await ScriptedOpenAIServer.StartAsync(ct);
        model.Enqueue(
            ScriptedReply.Text($"<think>Search first.</think>\n<tool_call>\n{{\"name\": \"web_search\", \"arguments\": {{\"query\": [\"{step.Query}\"]}}}}\n</tool_call>"),
            ScriptedReply.From(request =>
            {
                string url = Urls().Matches(LastMessage(request)).Select(m => m.Value).First(u => new Uri(u).AbsolutePath == step.Page);
                return $"<think>Read the page.</think>\n<tool_call>\n{{\"name\": \"browse_webpage\", \"arguments\": {{\"url_list\": [\"{url}\"]}}}}\n</tool_call>";
            }),
            ScriptedReply.From(request => LastMessage(request).Contains(step.Value, StringComparison.OrdinalIgnoreCase)
                ? $"<think>The page says it.</think>\n<answer>{question.Answers[0]}</answer>"
                : "<think>Not found.</think>\n<answer>unknown</answer>"));

        CliRun run = await CliRun.InvokeAsync("research", question.Question, "--model-url", model.BaseUrl.ToString(), "--model", "scripted", "--tools-mcp", Server.McpUrl!.ToString());

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Equal(question.Answers[0], run.Output.Trim());
        Assert.Contains($"tools: MCP server deepresearcher-tools", run.Error, StringComparison.Ordinal);
        Assert.Contains("[turn 2] browse_webpage: http://world.local/wiki/", run.Error, StringComparison.Ordinal);
        Assert.Equal(1, Server.Metrics.Calls("web_search", "ok"));
        Assert.Equal(1, Server.Metrics.Calls("browse_webpage", "ok"));
    }

    [Fact]
    public async Task Eval_run_through_mcp_scores_as_through_the_rest_routes()
    {
        string rest = Path.Combine(_dir.Path, "run-rest");
        string mcp = Path.Combine(_dir.Path, "run-mcp");

        CliRun viaRest = await CliRun.InvokeAsync("eval", "run", "--data", Questions, "--limit", "6", "--expert", World, "--tools-url", Server.BaseUrl.ToString(), "--out", rest);
        CliRun viaMcp = await CliRun.InvokeAsync("eval", "run", "--data", Questions, "--limit", "6", "--expert", World, "--tools-mcp", Server.McpUrl!.ToString(), "--out", mcp);

        Assert.True(viaRest.ExitCode == 0, viaRest.Error);
        Assert.True(viaMcp.ExitCode == 0, viaMcp.Error);
        Assert.Equal(Scores(rest), Scores(mcp));
        Assert.Contains(Scores(mcp), s => !s.EndsWith(" 0", StringComparison.Ordinal));
        Assert.Equal(Observations(rest), Observations(mcp));
        JsonNode manifest = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(mcp, "run.json"), TestContext.Current.CancellationToken))!;
        Assert.Equal("mcp:" + Server.McpUrl, manifest["tools"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("--world", "error: --tools-mcp and --world cannot be used together")]
    [InlineData("--tools-url", "error: --tools-url and --tools-mcp cannot be used together")]
    public async Task A_local_tool_option_or_a_rest_server_with_tools_mcp_is_an_error_naming_both(string other, string message)
    {
        string value = other == "--world" ? World : Server.BaseUrl.ToString();

        CliRun run = await CliRun.InvokeAsync("research", "q", "--model-url", "http://127.0.0.1:9/v1", "--model", "m", "--tools-mcp", Server.McpUrl!.ToString(), other, value);

        CliRunAssert.OneLineError(run, message);
    }

    [Fact]
    public async Task Mcp_tool_names_without_tools_mcp_are_an_error()
    {
        CliRun run = await CliRun.InvokeAsync("research", "q", "--model-url", "http://127.0.0.1:9/v1", "--model", "m", "--world", World, "--tools-mcp-search", "search");

        CliRunAssert.OneLineError(run, "error: --tools-mcp-search and --tools-mcp-browse name tools of an MCP server: give its endpoint with --tools-mcp URL");
    }

    [Fact]
    public async Task An_mcp_server_without_the_tools_is_a_one_line_error_listing_what_it_offers()
    {
        CliRun run = await CliRun.InvokeAsync("research", "q", "--model-url", "http://127.0.0.1:9/v1", "--model", "m", "--tools-mcp", Server.McpUrl!.ToString(), "--tools-mcp-search", "google");

        CliRunAssert.OneLineError(run, $"error: --tools-mcp {Server.McpUrl}: the MCP server at {Server.McpUrl} has no tool 'google' for web_search: it offers only web_search, browse_webpage; name the server's tool for web_search with --tools-mcp-search NAME");
    }

    [Fact]
    public async Task An_address_no_mcp_server_answers_at_is_a_one_line_error()
    {
        string nowhere = $"http://127.0.0.1:{FreeLoopbackPort.Next()}/mcp";

        CliRun run = await CliRun.InvokeAsync("research", "q", "--model-url", "http://127.0.0.1:9/v1", "--model", "m", "--tools-mcp", nowhere);

        CliRunAssert.OneLineError(run, $"error: --tools-mcp {nowhere}: no MCP server answers at {nowhere} (");
        Assert.Contains("deepresearcher tools serve --world DIR --mcp", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mcp_over_http_and_over_stdio_at_once_is_an_error()
    {
        CliRun run = await CliRun.InvokeAsync("tools", "serve", "--world", World, "--mcp", "--mcp-stdio");

        CliRunAssert.OneLineError(run, "error: --mcp serves MCP over HTTP next to the REST routes, --mcp-stdio over stdin/stdout without HTTP: give one of them");
    }

    private static async Task<CallToolResult> CallAsync(McpClient client, string tool, JsonObject arguments)
        => await client.CallToolAsync(new CallToolRequestParams
        {
            Name = tool,
            Arguments = arguments.ToDictionary(p => p.Key, p => JsonSerializer.SerializeToElement(p.Value)),
            Meta = new JsonObject { [McpToolbox.TrajectoryIdMetaKey] = "stdio-1" },
        }, TestContext.Current.CancellationToken);

    private static string[] Scores(string run)
        => [.. File.ReadAllLines(Path.Combine(run, "results.jsonl")).Select(l => JsonNode.Parse(l)!).OrderBy(n => n["id"]!.GetValue<string>(), StringComparer.Ordinal).Select(n => $"{n["id"]} {n["prediction"]} {n["f1"]}")];

    /// <summary>Every observation the policy read, per question: what both doors must agree on.</summary>
    private static string[] Observations(string run)
        => [.. File.ReadAllLines(Path.Combine(run, "trajectories.jsonl")).Select(l => JsonNode.Parse(l)!)
            .Select(t => $"{t["question_id"]}: {string.Join(" | ", t["turns"]!.AsArray().Select(turn => turn?["tool_call"]?["observation"]?.GetValue<string>()))}")
            .Order(StringComparer.Ordinal)];

    private static string LastMessage(JsonObject request) => request["messages"]!.AsArray().Last()!["content"]!.GetValue<string>();

    [GeneratedRegex("https?://[^\\s'\"\\]]+")]
    private static partial Regex Urls();
}
