using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using DeepResearcher.Core.Agent;
using DeepResearcher.Core.Protocol;
using DeepResearcher.Core.Protocol.Observations;
using DeepResearcher.Server.Tools;
using DeepResearcher.Testing;
using DeepResearcher.Web.Remote;

namespace DeepResearcher.Server.Tests;

public class ToolServerTests
{
    private static readonly ToolContext Context = new("traj-1", "What is the capital of Freedonia?");

    [Fact]
    public async Task Serves_search_and_browse_calls_that_round_trip_through_the_remote_toolbox()
    {
        ScriptedToolbox toolbox = NewToolbox();
        await using ToolServer server = await ToolServer.StartAsync(toolbox, new ToolServerOptions(), null, TestContext.Current.CancellationToken);
        using var remote = new RemoteToolbox(new RemoteToolboxOptions { Servers = [server.BaseUrl] });

        ToolResult search = await remote.ExecuteAsync(new ToolCall(ResearchTools.WebSearchName, []) { Queries = ["capital of Freedonia", "nothing"] }, Context, TestContext.Current.CancellationToken);
        ToolResult browse = await remote.ExecuteAsync(new ToolCall(ResearchTools.BrowseWebpageName, []) { Urls = ["https://wiki.example/F", "https://dead.example"] }, Context, TestContext.Current.CancellationToken);

        var hits = Assert.IsType<SearchObservation>(search.Observation);
        Assert.Equal("https://wiki.example/F", hits.Queries[0].Hits[0].Url);
        Assert.Empty(hits.Queries[1].Hits);
        var pages = Assert.IsType<BrowseObservation>(browse.Observation);
        Assert.Equal("Fredville is the capital.", pages.Pages[0].Information[0].Summary);
        Assert.Equal("page not found", pages.Pages[1].Error);
        Assert.Equal(["capital of Freedonia", "nothing"], toolbox.Calls.First().Queries);
        Assert.Equal(1, server.Metrics.Calls(ResearchTools.WebSearchName, "ok"));
    }

    [Fact]
    public async Task The_batch_endpoint_runs_many_calls_at_once()
    {
        await using ToolServer server = await ToolServer.StartAsync(NewToolbox(), new ToolServerOptions(), null, TestContext.Current.CancellationToken);
        using var http = new HttpClient();
        var calls = new JsonArray([.. Enumerable.Range(0, 5).Select(i => (JsonNode)new JsonObject
        {
            ["name"] = "web_search",
            ["query"] = new JsonArray("capital of Freedonia"),
            ["trajectory_id"] = $"t{i}",
            ["question"] = "q",
        })]);

        using HttpResponseMessage response = await http.PostAsJsonAsync(new Uri(server.BaseUrl, "v1/tools/batch"), new JsonObject { ["calls"] = calls }, TestContext.Current.CancellationToken);
        JsonObject body = (await response.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken))!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(5, body["results"]!.AsArray().Count);
        Assert.All(body["results"]!.AsArray(), r => Assert.Equal("search", r!["observation"]!["type"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("v1/tools/web_search", "{\"query\": [\"x\"]}", HttpStatusCode.BadRequest, "trajectory_id")]
    [InlineData("v1/tools/web_search", "{\"trajectory_id\": \"t\", \"query\": \"x\"}", HttpStatusCode.BadRequest, "array of strings")]
    [InlineData("v1/tools/browse_webpage", "{\"trajectory_id\": \"t\", \"url_list\": []}", HttpStatusCode.BadRequest, "non-empty")]
    [InlineData("v1/tools/web_search", "not json", HttpStatusCode.BadRequest, "not valid JSON")]
    [InlineData("v1/tools/python", "{}", HttpStatusCode.NotFound, "unknown tool")]
    [InlineData("v1/tools/batch", "{\"calls\": [{\"name\": \"web_search\"}]}", HttpStatusCode.BadRequest, "calls[0]")]
    public async Task Bad_requests_get_a_status_and_a_message(string path, string body, HttpStatusCode status, string message)
    {
        await using ToolServer server = await ToolServer.StartAsync(NewToolbox(), new ToolServerOptions(), null, TestContext.Current.CancellationToken);
        using var http = new HttpClient();

        using HttpResponseMessage response = await http.PostAsync(new Uri(server.BaseUrl, path), new StringContent(body, System.Text.Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        Assert.Equal(status, response.StatusCode);
        Assert.Contains(message, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_hanging_tool_answers_with_a_timeout_instead_of_hanging_the_caller()
    {
        ScriptedToolbox toolbox = NewToolbox();
        toolbox.Override = async (_, ct) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(30), ct);
            return ToolResult.Failure("unreachable");
        };
        await using ToolServer server = await ToolServer.StartAsync(toolbox, new ToolServerOptions { CallTimeout = TimeSpan.FromMilliseconds(200) }, null, TestContext.Current.CancellationToken);
        using var remote = new RemoteToolbox(new RemoteToolboxOptions { Servers = [server.BaseUrl] });

        ToolResult result = await remote.ExecuteAsync(new ToolCall(ResearchTools.WebSearchName, []) { Queries = ["x"] }, Context, TestContext.Current.CancellationToken);

        Assert.Contains("timed out", result.Error, StringComparison.Ordinal);
        Assert.Equal(1, server.Metrics.Calls(ResearchTools.WebSearchName, "error"));
    }

    [Fact]
    public async Task Each_failed_call_is_logged_once_with_its_cause()
    {
        ScriptedToolbox toolbox = NewToolbox();
        toolbox.Override = (_, _) => Task.FromResult(ToolResult.Failure("search provider down: HTTP 503"));
        var log = new CapturingLoggerProvider();
        await using ToolServer server = await ToolServer.StartAsync(toolbox, new ToolServerOptions(), log, TestContext.Current.CancellationToken);
        using var remote = new RemoteToolbox(new RemoteToolboxOptions { Servers = [server.BaseUrl] });

        await remote.ExecuteAsync(new ToolCall(ResearchTools.WebSearchName, []) { Queries = ["x"] }, Context, TestContext.Current.CancellationToken);

        string line = Assert.Single(log.Messages, m => m.Contains("failed", StringComparison.Ordinal));
        Assert.Contains("search provider down: HTTP 503", line, StringComparison.Ordinal);
        Assert.Contains("traj-1", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_and_prometheus_metrics()
    {
        await using ToolServer server = await ToolServer.StartAsync(NewToolbox(), new ToolServerOptions(), null, TestContext.Current.CancellationToken);
        using var remote = new RemoteToolbox(new RemoteToolboxOptions { Servers = [server.BaseUrl] });
        await remote.ExecuteAsync(new ToolCall(ResearchTools.WebSearchName, []) { Queries = ["capital of Freedonia"] }, Context, TestContext.Current.CancellationToken);
        using var http = new HttpClient();

        string health = await http.GetStringAsync(new Uri(server.BaseUrl, "healthz"), TestContext.Current.CancellationToken);
        string metrics = await http.GetStringAsync(new Uri(server.BaseUrl, "metrics"), TestContext.Current.CancellationToken);

        Assert.Contains("\"ok\"", health, StringComparison.Ordinal);
        var scrape = PrometheusScrape.Parse(metrics);
        Assert.Equal("counter", scrape.TypeOf("deepresearcher_tool_calls_total"));
        Assert.Equal("histogram", scrape.TypeOf("deepresearcher_tool_latency_seconds"));
        Assert.Equal(1, scrape.Value("deepresearcher_tool_calls_total", ("tool", "web_search"), ("outcome", "ok")));
        Assert.Equal(1, scrape.Value("deepresearcher_tool_cache_total", ("tool", "web_search"), ("cache", "none")));
        Assert.Equal(1, scrape.Value("deepresearcher_tool_latency_seconds_bucket", ("tool", "web_search"), ("le", "+Inf")));
        Assert.Equal(1, scrape.Value("deepresearcher_tool_latency_seconds_bucket", ("tool", "web_search"), ("le", "30")));
        Assert.Equal(1, scrape.Value("deepresearcher_tool_latency_seconds_count", ("tool", "web_search")));
        Assert.Contains($"otel_scope_name=\"{ToolServerMetrics.MeterName}\"", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_servers_in_one_process_count_only_their_own_calls()
    {
        await using ToolServer first = await ToolServer.StartAsync(NewToolbox(), new ToolServerOptions(), null, TestContext.Current.CancellationToken);
        await using ToolServer second = await ToolServer.StartAsync(NewToolbox(), new ToolServerOptions(), null, TestContext.Current.CancellationToken);
        using var remote = new RemoteToolbox(new RemoteToolboxOptions { Servers = [first.BaseUrl] });
        await remote.ExecuteAsync(new ToolCall(ResearchTools.WebSearchName, []) { Queries = ["capital of Freedonia"] }, Context, TestContext.Current.CancellationToken);
        using var http = new HttpClient();

        var scrapeFirst = PrometheusScrape.Parse(await http.GetStringAsync(new Uri(first.BaseUrl, "metrics"), TestContext.Current.CancellationToken));
        var scrapeSecond = PrometheusScrape.Parse(await http.GetStringAsync(new Uri(second.BaseUrl, "metrics"), TestContext.Current.CancellationToken));

        Assert.Equal(1, scrapeFirst.Value("deepresearcher_tool_calls_total", ("tool", "web_search"), ("outcome", "ok")));
        Assert.Null(scrapeSecond.Value("deepresearcher_tool_calls_total", ("tool", "web_search"), ("outcome", "ok")));
    }

    [Fact]
    public async Task The_remote_toolbox_survives_a_dead_server()
    {
        await using ToolServer live = await ToolServer.StartAsync(NewToolbox(), new ToolServerOptions(), null, TestContext.Current.CancellationToken);
        ToolServer dead = await ToolServer.StartAsync(NewToolbox(), new ToolServerOptions(), null, TestContext.Current.CancellationToken);
        Uri deadUrl = dead.BaseUrl;
        await dead.DisposeAsync();
        using var remote = new RemoteToolbox(new RemoteToolboxOptions { Servers = [deadUrl, live.BaseUrl] });

        for (int i = 0; i < 4; i++)
        {
            ToolResult result = await remote.ExecuteAsync(new ToolCall(ResearchTools.WebSearchName, []) { Queries = ["capital of Freedonia"] }, Context, TestContext.Current.CancellationToken);
            Assert.Null(result.Error);
        }

        Assert.Equal(4, live.Metrics.Calls(ResearchTools.WebSearchName, "ok"));
    }

    [Fact]
    public async Task When_every_server_is_down_the_call_fails_soft_naming_them()
    {
        using var remote = new RemoteToolbox(new RemoteToolboxOptions { Servers = [new Uri("http://127.0.0.1:9/")], MaxAttempts = 2 });

        ToolResult result = await remote.ExecuteAsync(new ToolCall(ResearchTools.WebSearchName, []) { Queries = ["x"] }, Context, TestContext.Current.CancellationToken);

        Assert.Contains("every tool server attempt failed", result.Error, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1:9", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_port_in_use_is_a_clear_error()
    {
        await using ToolServer first = await ToolServer.StartAsync(NewToolbox(), new ToolServerOptions(), null, TestContext.Current.CancellationToken);

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => ToolServer.StartAsync(NewToolbox(), new ToolServerOptions { Port = first.BaseUrl.Port }, null, TestContext.Current.CancellationToken));

        Assert.Contains("already in use", ex.Message, StringComparison.Ordinal);
    }

    private static ScriptedToolbox NewToolbox()
    {
        var toolbox = new ScriptedToolbox();
        toolbox.SearchResults["capital of Freedonia"] = [new SearchHit("Freedonia", "https://wiki.example/F", "Freedonia is a country")];
        toolbox.Pages["https://wiki.example/F"] = "Fredville is the capital.";
        return toolbox;
    }
}
