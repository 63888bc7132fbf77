using DeepResearcher.Core.Agent;
using DeepResearcher.Core.Protocol;
using DeepResearcher.Core.Protocol.Observations;
using DeepResearcher.Environments.Composition;
using DeepResearcher.Testing;
using DeepResearcher.Web.Mcp;
using ModelContextProtocol.Protocol;

namespace DeepResearcher.Server.Tests.Mcp;

/// <summary>
/// <see cref="McpToolbox"/> against another MCP server: its tools are bound by name (and by their input schema), a
/// server without them is an error at connect time naming what it offers, and every failure of a call is a soft one.
/// </summary>
public sealed class McpToolboxTests
{
    private const string StringQuery = """{"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]}""";
    private const string StringUrl = """{"type": "object", "properties": {"url": {"type": "string"}}, "required": ["url"]}""";

    private static readonly ToolContext Context = new("t-1", "Who founded Kelvara?");

    [Fact]
    public async Task A_search_tool_that_takes_one_string_is_called_once_per_query_and_its_text_is_the_observation()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using ForeignMcpServer server = await ForeignMcpServer.StartAsync(
        [
            ("brave_search", StringQuery, q => ForeignMcpServer.Text($"1. Result for {q} - https://example.org/{q.Length}")),
            ("fetch", StringUrl, u => u.Contains("broken", StringComparison.Ordinal) ? ForeignMcpServer.Text("fetch failed: 503", isError: true) : ForeignMcpServer.Text($"page text of {u}")),
        ], ct);
        await using McpToolbox tools = await McpToolbox.ConnectAsync(server.Endpoint, new McpToolboxOptions { SearchTool = "brave_search", BrowseTool = "fetch", TrajectoryIdPrefix = "run7/" }, ct);

        ToolResult one = await tools.ExecuteAsync(new ToolCall(ResearchTools.WebSearchName, []) { Queries = ["Kelvara founder"] }, Context, ct);
        ToolResult two = await tools.ExecuteAsync(new ToolCall(ResearchTools.WebSearchName, []) { Queries = ["a", "bb"] }, Context, ct);
        ToolResult mixed = await tools.ExecuteAsync(new ToolCall(ResearchTools.BrowseWebpageName, []) { Urls = ["https://example.org/1", "https://broken.example/"] }, Context, ct);
        ToolResult failed = await tools.ExecuteAsync(new ToolCall(ResearchTools.BrowseWebpageName, []) { Urls = ["https://broken.example/"] }, Context, ct);

        Assert.Equal("1. Result for Kelvara founder - https://example.org/15", Assert.IsType<TextObservation>(one.Observation).Text);
        Assert.Null(one.Error);
        Assert.Equal("[query: a]\n1. Result for a - https://example.org/1\n\n[query: bb]\n1. Result for bb - https://example.org/2", ((TextObservation)two.Observation).Text);
        Assert.Equal("[url: https://example.org/1]\npage text of https://example.org/1\n\n[url: https://broken.example/] error: fetch failed: 503", ((TextObservation)mixed.Observation).Text);
        Assert.Null(mixed.Error);
        Assert.Equal("browse_webpage failed on the MCP server: fetch failed: 503", failed.Error);
        Assert.Equal("web_search → brave_search(query), browse_webpage → fetch(url)", tools.Bindings);
        Assert.Equal("foreign-search 9.9", tools.ServerName);
        Assert.All(server.SeenMeta, m => Assert.Contains("\"deepresearcher/trajectory_id\":\"run7/t-1\"", m, StringComparison.Ordinal));
        Assert.Equal("1. Result for a - https://example.org/1", new ObservationFormatter(ObservationFormat.Paper).Render(new TextObservation("1. Result for a - https://example.org/1")));
    }

    [Fact]
    public async Task A_server_without_the_tools_is_an_error_at_connect_time_listing_what_it_offers()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using ForeignMcpServer server = await ForeignMcpServer.StartAsync(
        [
            ("search", StringQuery, q => ForeignMcpServer.Text(q)),
            ("weather", """{"type": "object", "properties": {"city": {"type": "string"}, "units": {"type": "string"}}, "required": ["city", "units"]}""", c => ForeignMcpServer.Text(c)),
        ], ct);

        McpToolboxException missing = await Assert.ThrowsAsync<McpToolboxException>(() => McpToolbox.ConnectAsync(server.Endpoint, new McpToolboxOptions(), ct));
        McpToolboxException unfit = await Assert.ThrowsAsync<McpToolboxException>(() => McpToolbox.ConnectAsync(server.Endpoint, new McpToolboxOptions { SearchTool = "search", BrowseTool = "weather" }, ct));
        ArgumentException composed = await Assert.ThrowsAsync<ArgumentException>(() => ToolboxComposer.CreateAsync(new ToolboxSpec { McpServer = server.Endpoint }, ct));
        await using McpToolbox searchOnly = await McpToolbox.ConnectAsync(server.Endpoint, new McpToolboxOptions { SearchTool = "search", BrowseTool = null }, ct);
        ToolResult browse = await searchOnly.ExecuteAsync(new ToolCall(ResearchTools.BrowseWebpageName, []) { Urls = ["https://example.org/"] }, Context, ct);

        Assert.Equal($"the MCP server at {server.Endpoint} has no tool 'web_search' for web_search: it offers only search, weather", missing.Message);
        Assert.Equal(ResearchTools.WebSearchName, missing.AgentTool);
        Assert.Contains("the MCP tool 'weather' takes the arguments city, units; none of them is where the url_list go", unfit.Message, StringComparison.Ordinal);
        Assert.Contains("--tools-mcp-search NAME", composed.Message, StringComparison.Ordinal);
        Assert.Contains("it offers only search, weather", composed.Message, StringComparison.Ordinal);
        Assert.Equal("browse_webpage is not available: the MCP server foreign-search 9.9 has no tool bound to it (it offers search, weather)", browse.Error);
    }

    [Fact]
    public async Task An_address_no_mcp_server_answers_at_is_an_error_naming_it()
    {
        var nowhere = new Uri($"http://127.0.0.1:{FreeLoopbackPort.Next()}/mcp");

        ArgumentException error = await Assert.ThrowsAsync<ArgumentException>(() => ToolboxComposer.CreateAsync(new ToolboxSpec { McpServer = nowhere }, TestContext.Current.CancellationToken));

        Assert.StartsWith($"--tools-mcp {nowhere}: no MCP server answers at {nowhere} (", error.Message, StringComparison.Ordinal);
        Assert.Contains("deepresearcher tools serve --world DIR --mcp", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_that_goes_away_mid_run_fails_the_call_soft_and_one_that_comes_back_is_used_again()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        int port = FreeLoopbackPort.Next();
        (string, string, Func<string, CallToolResult>)[] echo = [("web_search", StringQuery, q => ForeignMcpServer.Text("first " + q)), ("browse_webpage", StringUrl, u => ForeignMcpServer.Text(u))];
        ForeignMcpServer server = await ForeignMcpServer.StartAsync(echo, ct, port);
        await using McpToolbox tools = await McpToolbox.ConnectAsync(server.Endpoint, new McpToolboxOptions(), ct);
        var call = new ToolCall(ResearchTools.WebSearchName, []) { Queries = ["x"] };
        ToolResult before = await tools.ExecuteAsync(call, Context, ct);

        await server.DisposeAsync();
        ToolResult gone = await tools.ExecuteAsync(call, Context, ct);
        await using ForeignMcpServer restarted = await ForeignMcpServer.StartAsync([("web_search", StringQuery, q => ForeignMcpServer.Text("second " + q)), echo[1]], ct, port);
        ToolResult back = await tools.ExecuteAsync(call, Context, ct);

        Assert.Equal("first x", ((TextObservation)before.Observation).Text);
        Assert.StartsWith("web_search failed on the MCP server: calling 'web_search' failed: ", gone.Error, StringComparison.Ordinal);
        Assert.IsType<ToolErrorObservation>(gone.Observation);
        Assert.Equal("second x", Assert.IsType<TextObservation>(back.Observation).Text);
    }

    [Fact]
    public void A_schema_binding_prefers_the_agents_name_then_an_alias_then_the_one_required_argument()
    {
        static McpToolBinding? Bind(string schema, string agentArgument) => McpToolBinding.FromSchema("t", System.Text.Json.JsonDocument.Parse(schema).RootElement, agentArgument, out _);

        Assert.Equal(new McpToolBinding("t", "query", true), Bind("""{"properties": {"query": {"type": "array"}, "count": {"type": "integer"}}}""", "query"));
        Assert.Equal(new McpToolBinding("t", "q", false), Bind("""{"properties": {"q": {"type": "string"}, "count": {"type": "integer"}}}""", "query"));
        Assert.Equal(new McpToolBinding("t", "term", false), Bind("""{"properties": {"term": {"type": "string"}, "count": {"type": "integer"}}, "required": ["term"]}""", "query"));
        Assert.Equal(new McpToolBinding("t", "urls", true), Bind("""{"properties": {"urls": {"type": ["array", "null"]}}}""", "url_list"));
        Assert.Null(Bind("""{"properties": {"a": {}, "b": {}}}""", "query"));
        Assert.Null(Bind("""{"properties": {"query": {"type": "string"}, "key": {"type": "string"}}, "required": ["query", "key"]}""", "query"));
    }
}
