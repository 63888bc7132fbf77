using System.IO.Pipelines;
using System.Text.Json;
using System.Text.Json.Nodes;
using DeepResearcher.Core.Agent;
using DeepResearcher.Core.Protocol;
using DeepResearcher.Core.Protocol.Observations;
using DeepResearcher.Environments.Composition;
using DeepResearcher.Server.Tools;
using DeepResearcher.Web.Mcp;
using DeepResearcher.Web.Remote;
using DeepResearcher.World.Building;
using DeepResearcher.World.Generation;
using DeepResearcher.World.Questions;
using DeepResearcher.World.Storage;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace DeepResearcher.Server.Tests.Mcp;

/// <summary>
/// <c>tools serve --mcp</c>: the SDK's own client lists and calls the tools over real loopback HTTP and over in-process
/// streams, against an offline world composed as <c>tools serve --world</c> composes it; bad calls are clear MCP errors
/// and the server stays up; <see cref="McpToolbox"/> reads the same observations as the REST client.
/// </summary>
public sealed class McpToolServerTests : IAsyncLifetime
{
    private string _root = string.Empty;
    private ComposedToolbox? _tools;
    private ToolServer? _server;
    private WorldQuestion _question = null!;

    private ToolServer Server => _server!;

    private QuestionStep Step => _question.Path[0];

    public async ValueTask InitializeAsync()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        _root = Path.Combine(Path.GetTempPath(), "dr-mcp-" + Guid.NewGuid().ToString("N"));
        await WorldBuilder.BuildAsync(new WorldBuildOptions { OutDir = _root, Seed = 8, Size = WorldSize.Tiny }, null, ct);
        _question = (await QuestionJsonl.ReadAsync(Path.Combine(_root, "questions", "dev.jsonl"), ct)).First(q => q.Type == QuestionType.OneHop);
        _tools = await ToolboxComposer.CreateAsync(new ToolboxSpec { WorldDir = _root }, ct);
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

        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Lists_both_tools_with_the_schemas_the_policy_is_given()
    {
        await using McpClient client = await ConnectAsync();

        IList<McpClientTool> tools = await client.ListToolsAsync(cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal([ResearchTools.WebSearchName, ResearchTools.BrowseWebpageName], tools.Select(t => t.Name));
        foreach (ToolSchema schema in ResearchTools.All)
        {
            Tool tool = tools.Single(t => t.Name == schema.Name).ProtocolTool;
            Assert.Equal(schema.Description, tool.Description);
            Assert.True(JsonNode.DeepEquals(schema.Parameters, JsonNode.Parse(tool.InputSchema.GetRawText())), tool.InputSchema.GetRawText());
        }

        Assert.Equal("deepresearcher-tools", client.ServerInfo?.Name);
    }

    [Fact]
    public async Task Searches_and_browses_the_offline_world_over_loopback_http()
    {
        await using McpClient client = await ConnectAsync();

        CallToolResult search = await CallAsync(client, "web_search", new JsonObject { ["query"] = new JsonArray(Step.Query) }, "traj-http");
        string url = PageUrl(search);
        CallToolResult browse = await CallAsync(client, "browse_webpage", new JsonObject { ["url_list"] = new JsonArray(url) }, "traj-http");

        Assert.NotEqual(true, search.IsError);
        Assert.Contains("\"web_page_info_list\"", TextOf(search), StringComparison.Ordinal);
        Assert.Equal("search", search.StructuredContent!.Value.GetProperty("observation").GetProperty("type").GetString());
        Assert.NotEqual(true, browse.IsError);
        Assert.Contains(Step.Value, TextOf(browse), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(1, Server.Metrics.Calls(ResearchTools.WebSearchName, "ok"));
        Assert.Equal(1, Server.Metrics.Calls(ResearchTools.BrowseWebpageName, "ok"));
    }

    [Fact]
    public async Task Browsing_keeps_to_the_trajectory_named_in_the_request_metadata()
    {
        await using McpClient client = await ConnectAsync();

        CallToolResult search = await CallAsync(client, "web_search", new JsonObject { ["query"] = new JsonArray(Step.Query) }, "traj-a");
        CallToolResult otherTrajectory = await CallAsync(client, "browse_webpage", new JsonObject { ["url_list"] = new JsonArray(PageUrl(search)) }, "traj-b");

        // Strict browse mode: traj-b has searched nothing, so the page is not one of its results.
        Assert.DoesNotContain(Step.Value, TextOf(otherTrajectory), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("error", TextOf(otherTrajectory), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_tool_is_a_protocol_error_naming_the_tools_and_the_server_stays_up()
    {
        await using McpClient client = await ConnectAsync();

        McpProtocolException error = await Assert.ThrowsAsync<McpProtocolException>(
            async () => await CallAsync(client, "python", new JsonObject { ["code"] = "print(1)" }, "traj-unknown"));
        CallToolResult after = await CallAsync(client, "web_search", new JsonObject { ["query"] = new JsonArray(Step.Query) }, "traj-unknown");

        Assert.Equal(McpErrorCode.InvalidParams, error.ErrorCode);
        Assert.Contains("unknown tool 'python'", error.Message, StringComparison.Ordinal);
        Assert.Contains("web_search and browse_webpage", error.Message, StringComparison.Ordinal);
        Assert.NotEqual(true, after.IsError);
    }

    [Theory]
    [InlineData("web_search", "{\"query\": \"capital\"}", "\"query\" must be an array of strings", true)]
    [InlineData("web_search", "{}", "web_search needs a non-empty \"query\" array", true)]
    [InlineData("web_search", "{\"query\": [1]}", "every item of \"query\" must be a string", true)]
    [InlineData("web_search", "{\"query\": [\"a\", \"b\", \"c\", \"d\"]}", "web_search takes at most 3 queries per call (got 4); send the rest in another call", false)]
    [InlineData("browse_webpage", "{\"url_list\": []}", "browse_webpage needs a non-empty \"url_list\" array", true)]
    [InlineData("browse_webpage", "{\"url_list\": [\"http://world.local/\\u0001\"]}", "url_list[0] contains the control character U+0001", false)]
    public async Task Malformed_arguments_are_an_error_result_that_says_what_is_wrong_and_the_server_stays_up(string tool, string arguments, string message, bool showsTheShape)
    {
        await using McpClient client = await ConnectAsync();

        CallToolResult bad = await CallAsync(client, tool, JsonNode.Parse(arguments)!.AsObject(), "traj-bad");
        CallToolResult after = await CallAsync(client, "web_search", new JsonObject { ["query"] = new JsonArray(Step.Query) }, "traj-bad");

        Assert.True(bad.IsError);
        Assert.Contains(message, TextOf(bad), StringComparison.Ordinal);
        if (showsTheShape)
        {
            Assert.Contains(tool == "web_search" ? "the arguments are {\"query\": [" : "the arguments are {\"url_list\": [", TextOf(bad), StringComparison.Ordinal);
        }

        Assert.NotEqual(true, after.IsError);
        Assert.Equal(1, Server.Metrics.Calls(ResearchTools.WebSearchName, "ok"));
    }

    [Fact]
    public async Task A_trajectory_id_in_the_metadata_that_is_not_a_string_is_an_error_result()
    {
        await using McpClient client = await ConnectAsync();

        CallToolResult bad = await client.CallToolAsync(new CallToolRequestParams
        {
            Name = "web_search",
            Arguments = new Dictionary<string, JsonElement> { ["query"] = JsonSerializer.SerializeToElement(new[] { "x" }) },
            Meta = new JsonObject { [McpToolbox.TrajectoryIdMetaKey] = 42 },
        }, TestContext.Current.CancellationToken);

        Assert.True(bad.IsError);
        Assert.Contains("_meta \"deepresearcher/trajectory_id\" must be a string (got number)", TextOf(bad), StringComparison.Ordinal);
    }

    [Fact]
    public async Task In_process_over_streams_the_sdk_client_lists_and_calls_both_tools()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        var toServer = new Pipe();
        var toClient = new Pipe();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        Task serving = McpStreamToolServer.RunAsync(_tools!.Toolbox, new ToolServerOptions(), toServer.Reader.AsStream(), toClient.Writer.AsStream(), null, stop.Token);

        await using (McpClient client = await McpClient.CreateAsync(new StreamClientTransport(toServer.Writer.AsStream(), toClient.Reader.AsStream()), cancellationToken: ct))
        {
            IList<McpClientTool> tools = await client.ListToolsAsync(cancellationToken: ct);
            CallToolResult search = await CallAsync(client, "web_search", new JsonObject { ["query"] = new JsonArray(Step.Query) }, "traj-stream");
            CallToolResult browse = await CallAsync(client, "browse_webpage", new JsonObject { ["url_list"] = new JsonArray(PageUrl(search)) }, "traj-stream");
            await Assert.ThrowsAsync<McpProtocolException>(async () => await CallAsync(client, "nope", [], "traj-stream"));
            CallToolResult bad = await CallAsync(client, "web_search", new JsonObject { ["query"] = "one string" }, "traj-stream");

            Assert.Equal([ResearchTools.WebSearchName, ResearchTools.BrowseWebpageName], tools.Select(t => t.Name));
            Assert.Contains(Step.Value, TextOf(browse), StringComparison.OrdinalIgnoreCase);
            Assert.True(bad.IsError);
        }

        await toServer.Writer.CompleteAsync();
        await serving.WaitAsync(TimeSpan.FromMinutes(1), ct);
    }

    [Fact]
    public async Task The_mcp_toolbox_reads_the_same_observations_as_the_rest_toolbox()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using var rest = new RemoteToolbox(new RemoteToolboxOptions { Servers = [Server.BaseUrl] });
        await using McpToolbox mcp = await McpToolbox.ConnectAsync(Server.McpUrl!, new McpToolboxOptions(), ct);
        var format = new ObservationFormatter(ObservationFormat.Paper);
        var restContext = new ToolContext("rest-1", _question.Question);
        var mcpContext = new ToolContext("mcp-1", _question.Question);

        var search = new ToolCall(ResearchTools.WebSearchName, []) { Queries = [Step.Query, "zzqx no such thing"] };
        ToolResult restSearch = await rest.ExecuteAsync(search, restContext, ct);
        ToolResult mcpSearch = await mcp.ExecuteAsync(search, mcpContext, ct);
        string url = ((SearchObservation)restSearch.Observation).Queries[0].Hits.First(h => new Uri(h.Url).AbsolutePath == Step.Page).Url;
        var browse = new ToolCall(ResearchTools.BrowseWebpageName, []) { Urls = [url, "http://world.local/wiki/No_such_page"] };
        ToolResult[] restReads = [await rest.ExecuteAsync(browse, restContext, ct), await rest.ExecuteAsync(browse, restContext, ct)];
        ToolResult[] mcpReads = [await mcp.ExecuteAsync(browse, mcpContext, ct), await mcp.ExecuteAsync(browse, mcpContext, ct)];

        Assert.Equal(format.Render(restSearch.Observation), format.Render(mcpSearch.Observation));
        Assert.IsType<SearchObservation>(mcpSearch.Observation);
        Assert.Equal(restReads.Select(r => format.Render(r.Observation)), mcpReads.Select(r => format.Render(r.Observation)));
        Assert.Equal(restReads.Select(r => r.Error), mcpReads.Select(r => r.Error));
        Assert.Equal("web_search → web_search(query[]), browse_webpage → browse_webpage(url_list[])", mcp.Bindings);
    }

    private async Task<McpClient> ConnectAsync()
        => await McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions { Endpoint = Server.McpUrl! }), cancellationToken: TestContext.Current.CancellationToken);

    private static async Task<CallToolResult> CallAsync(McpClient client, string tool, JsonObject arguments, string trajectory)
        => await client.CallToolAsync(new CallToolRequestParams
        {
            Name = tool,
            Arguments = arguments.ToDictionary(p => p.Key, p => JsonSerializer.SerializeToElement(p.Value)),
            Meta = new JsonObject { [McpToolbox.TrajectoryIdMetaKey] = trajectory, [McpToolbox.QuestionMetaKey] = "q" },
        }, TestContext.Current.CancellationToken);

    private string PageUrl(CallToolResult search)
        => search.StructuredContent!.Value.GetProperty("observation").GetProperty("queries")[0].GetProperty("hits").EnumerateArray()
            .Select(h => h.GetProperty("url").GetString()!).First(u => new Uri(u).AbsolutePath == Step.Page);

    private static string TextOf(CallToolResult result) => string.Join("\n", result.Content.OfType<TextContentBlock>().Select(t => t.Text));
}
