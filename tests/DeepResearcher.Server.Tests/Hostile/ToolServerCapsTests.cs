using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using DeepResearcher.Core.Agent;
using DeepResearcher.Core.Protocol.Observations;
using DeepResearcher.Environments.Composition;
using DeepResearcher.Server.Tools;
using DeepResearcher.Testing;
using DeepResearcher.World.Building;
using DeepResearcher.World.Generation;

namespace DeepResearcher.Server.Tests.Hostile;

public sealed class ToolServerCapsTests : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "dr-caps-" + Guid.NewGuid().ToString("N"));

    public async ValueTask InitializeAsync()
        => await WorldBuilder.BuildAsync(new WorldBuildOptions { OutDir = Path.Combine(_root, "world"), Seed = 2, Size = WorldSize.Tiny }, null, TestContext.Current.CancellationToken);

    public ValueTask DisposeAsync()
    {
        Directory.Delete(_root, recursive: true);
        return ValueTask.CompletedTask;
    }

    [Theory]
    [InlineData(null)]
    [InlineData("local")]
    public async Task A_query_of_300k_combining_marks_is_a_400_and_an_allowed_run_is_a_soft_result_with_a_bounded_log_line(string? search)
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using ComposedToolbox composed = await ToolboxComposer.CreateAsync(new ToolboxSpec { WorldDir = Path.Combine(_root, "world"), Search = search }, ct);
        var log = new CapturingLoggerProvider();
        await using ToolServer server = await ToolServer.StartAsync(composed.Toolbox, new ToolServerOptions(), log, ct);
        using var http = new HttpClient();

        using HttpResponseMessage huge = await PostSearchAsync(http, server, "a" + new string('\u0301', 300_000), ct);
        using HttpResponseMessage allowed = await PostSearchAsync(http, server, "a" + new string('\u0301', 999), ct);

        Assert.Equal(HttpStatusCode.BadRequest, huge.StatusCode);
        Assert.Contains("query[0] has 300001 characters; at most 1000", await huge.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        JsonObject result = (await allowed.Content.ReadFromJsonAsync<JsonObject>(ct))!;
        Assert.Equal("search", result["observation"]!["type"]!.GetValue<string>());
        Assert.All(log.Messages, m => Assert.True(m.Length < 1000, $"a log line of {m.Length} characters"));
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(server.BaseUrl, "healthz"), ct)).StatusCode);
    }

    [Fact]
    public async Task The_cache_field_of_each_call_says_miss_then_hit()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using ComposedToolbox composed = await ToolboxComposer.CreateAsync(
            new ToolboxSpec { WorldDir = Path.Combine(_root, "world"), Search = "local", CachePath = Path.Combine(_root, "tools.db") }, ct);
        await using ToolServer server = await ToolServer.StartAsync(composed.Toolbox, new ToolServerOptions(), null, ct);
        using var http = new HttpClient();

        using HttpResponseMessage first = await PostSearchAsync(http, server, "capital city", ct);
        using HttpResponseMessage second = await PostSearchAsync(http, server, "capital city", ct);
        using HttpResponseMessage partial = await http.PostAsJsonAsync(new Uri(server.BaseUrl, "v1/tools/web_search"),
            new JsonObject { ["trajectory_id"] = "t", ["query"] = new JsonArray("capital city", "river length") }, ct);

        Assert.Equal("miss", (await first.Content.ReadFromJsonAsync<JsonObject>(ct))!["cache"]!.GetValue<string>());
        Assert.Equal("hit", (await second.Content.ReadFromJsonAsync<JsonObject>(ct))!["cache"]!.GetValue<string>());
        Assert.Equal("partial", (await partial.Content.ReadFromJsonAsync<JsonObject>(ct))!["cache"]!.GetValue<string>());
    }

    [Fact]
    public async Task Without_a_cache_the_cache_field_says_none()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using ComposedToolbox composed = await ToolboxComposer.CreateAsync(new ToolboxSpec { WorldDir = Path.Combine(_root, "world"), Search = "local" }, ct);
        await using ToolServer server = await ToolServer.StartAsync(composed.Toolbox, new ToolServerOptions(), null, ct);
        using var http = new HttpClient();

        using HttpResponseMessage response = await PostSearchAsync(http, server, "capital city", ct);

        Assert.Equal("none", (await response.Content.ReadFromJsonAsync<JsonObject>(ct))!["cache"]!.GetValue<string>());
    }

    [Fact]
    public async Task Calls_of_one_trajectory_beyond_the_concurrency_cap_get_a_429_naming_the_option()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var toolbox = new ScriptedToolbox
        {
            Override = async (_, token) =>
            {
                started.TrySetResult();
                await release.Task.WaitAsync(token);
                return new ToolResult(new SearchObservation([]));
            },
        };
        await using ToolServer server = await ToolServer.StartAsync(toolbox, new ToolServerOptions { MaxConcurrentCallsPerTrajectory = 1 }, null, ct);
        using var http = new HttpClient();

        Task<HttpResponseMessage> first = PostSearchAsync(http, server, "x", ct);
        await started.Task.WaitAsync(ct);
        using HttpResponseMessage second = await PostSearchAsync(http, server, "y", ct);
        using HttpResponseMessage other = await http.PostAsJsonAsync(new Uri(server.BaseUrl, "v1/tools/batch"),
            new JsonObject { ["calls"] = new JsonArray(new JsonObject { ["name"] = "web_search", ["trajectory_id"] = "t", ["query"] = new JsonArray("z") }) }, ct);
        release.SetResult();
        using HttpResponseMessage firstDone = await first;
        using HttpResponseMessage afterwards = await PostSearchAsync(http, server, "w", ct);

        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.Contains("--max-calls-per-trajectory", await second.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.TooManyRequests, other.StatusCode);
        Assert.Equal(HttpStatusCode.OK, firstDone.StatusCode);
        Assert.Equal(HttpStatusCode.OK, afterwards.StatusCode);
    }

    [Fact]
    public async Task An_exception_escaping_a_handler_becomes_error_json_and_one_log_line()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        // An observation the wire format cannot write: the exception is thrown outside the toolbox's try.
        var toolbox = new ScriptedToolbox { Override = (_, _) => Task.FromResult(new ToolResult(new UnwritableObservation())) };
        var log = new CapturingLoggerProvider();
        await using ToolServer server = await ToolServer.StartAsync(toolbox, new ToolServerOptions(), log, ct);
        using var http = new HttpClient();

        using HttpResponseMessage response = await PostSearchAsync(http, server, "x", ct);
        string text = await response.Content.ReadAsStringAsync(ct);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains("Unknown observation type UnwritableObservation", JsonNode.Parse(text)!["error"]!.GetValue<string>(), StringComparison.Ordinal);
        string line = Assert.Single(log.Messages);
        Assert.Contains("POST /v1/tools/web_search answered 500: ArgumentException", line, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(server.BaseUrl, "healthz"), ct)).StatusCode);
    }

    /// <summary>The query as raw UTF-8, not \u-escaped: 300,000 combining marks are a 600 KB body, within the body cap.</summary>
    private static Task<HttpResponseMessage> PostSearchAsync(HttpClient http, ToolServer server, string query, CancellationToken ct)
        => http.PostAsync(new Uri(server.BaseUrl, "v1/tools/web_search"),
            new StringContent($"{{\"trajectory_id\": \"t\", \"question\": \"q\", \"query\": [\"{query}\"]}}", System.Text.Encoding.UTF8, "application/json"), ct);

    private sealed record UnwritableObservation : DeepResearcher.Core.Protocol.Observations.ToolObservation;
}
