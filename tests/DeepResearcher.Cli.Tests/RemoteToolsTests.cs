using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DeepResearcher.Environments.Composition;
using DeepResearcher.Server.Tools;
using DeepResearcher.Testing;
using DeepResearcher.World.Building;
using DeepResearcher.World.Generation;
using DeepResearcher.World.Questions;
using DeepResearcher.World.Storage;

namespace DeepResearcher.Cli.Tests;

/// <summary>
/// <c>--tools-url</c>: <c>research</c> and <c>eval run</c> call a tool server on loopback, composed and served as
/// <c>tools serve</c> does, instead of building tools; it is exclusive with the local tool options, and an address no
/// server answers at is a one-line error.
/// </summary>
public sealed partial class RemoteToolsTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private ComposedToolbox? _tools;
    private ToolServer? _server;

    private string World => Path.Combine(_dir.Path, "world");

    private string Questions => Path.Combine(World, "questions", "dev.jsonl");

    private string ServerUrl => _server!.BaseUrl.ToString();

    public async ValueTask InitializeAsync()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await WorldBuilder.BuildAsync(new WorldBuildOptions { OutDir = World, Seed = 8, Size = WorldSize.Tiny }, null, ct);
        // What 'tools serve --world W' runs.
        _tools = await ToolboxComposer.CreateAsync(new ToolboxSpec { WorldDir = World }, ct);
        _server = await ToolServer.StartAsync(_tools.Toolbox, new ToolServerOptions { Port = 0 }, null, ct);
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
    public async Task Research_answers_through_a_tool_server()
    {
        IReadOnlyList<WorldQuestion> dev = await QuestionJsonl.ReadAsync(Questions, TestContext.Current.CancellationToken);
        WorldQuestion question = dev.First(q => q.Type == QuestionType.OneHop);
        QuestionStep step = question.Path[0];
        await using ScriptedOpenAIServer model = await ScriptedOpenAIServer.StartAsync(TestContext.Current.CancellationToken);
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

        CliRun run = await CliRun.InvokeAsync("research", question.Question, "--model-url", model.BaseUrl.ToString(), "--model", "scripted", "--tools-url", ServerUrl);

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Equal(question.Answers[0], run.Output.Trim());
        Assert.Contains($"tools: tool server {ServerUrl}", run.Error, StringComparison.Ordinal);
        Assert.Contains("[turn 2] browse_webpage: http://world.local/wiki/", run.Error, StringComparison.Ordinal);
        Assert.Equal(2, _server!.Metrics.Calls("web_search", "ok") + _server.Metrics.Calls("browse_webpage", "ok"));
    }

    [Fact]
    public async Task Eval_run_through_a_tool_server_scores_as_with_the_world_in_process()
    {
        string local = Path.Combine(_dir.Path, "run-local");
        string remote = Path.Combine(_dir.Path, "run-remote");

        CliRun inProcess = await CliRun.InvokeAsync("eval", "run", "--data", Questions, "--limit", "6", "--expert", World, "--out", local);
        CliRun served = await CliRun.InvokeAsync("eval", "run", "--data", Questions, "--limit", "6", "--expert", World, "--tools-url", ServerUrl, "--out", remote);

        Assert.True(inProcess.ExitCode == 0, inProcess.Error);
        Assert.True(served.ExitCode == 0, served.Error);
        Assert.Equal(Scores(local), Scores(remote));
        Assert.Contains(Scores(remote), s => !s.EndsWith(" 0", StringComparison.Ordinal));
        JsonNode manifest = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(remote, "run.json"), TestContext.Current.CancellationToken))!;
        Assert.Equal("remote:" + ServerUrl, manifest["tools"]!.GetValue<string>());
        Assert.True(_server!.Metrics.Calls("web_search", "ok") > 0);
    }

    [Theory]
    [InlineData("--world")]
    [InlineData("--search")]
    [InlineData("--cache")]
    [InlineData("--tool-profile")]
    public async Task A_local_tool_option_with_tools_url_is_an_error_naming_both(string local)
    {
        string value = local switch { "--world" => World, "--search" => "auto", "--cache" => Path.Combine(_dir.Path, "c.db"), _ => "compact" };

        CliRun run = await CliRun.InvokeAsync("research", "q", "--model-url", "http://127.0.0.1:9/v1", "--model", "m", "--tools-url", ServerUrl, local, value);

        CliRunAssert.OneLineError(run, $"error: --tools-url and {local} cannot be used together");
        Assert.Contains("tools serve", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_address_no_server_answers_at_names_it_and_tools_serve()
    {
        string nowhere = $"http://127.0.0.1:{FreeLoopbackPort.Next()}/";

        CliRun run = await CliRun.InvokeAsync("eval", "run", "--data", Questions, "--limit", "1", "--expert", World, "--tools-url", nowhere, "--out", Path.Combine(_dir.Path, "run-nowhere"));

        CliRunAssert.OneLineError(run, $"error: no tool server answers at --tools-url {nowhere}");
        Assert.Contains("deepresearcher tools serve", run.Error, StringComparison.Ordinal);
    }

    private static string[] Scores(string run)
        => [.. File.ReadAllLines(Path.Combine(run, "results.jsonl")).Select(l => JsonNode.Parse(l)!).OrderBy(n => n["id"]!.GetValue<string>(), StringComparer.Ordinal).Select(n => $"{n["id"]} {n["prediction"]} {n["f1"]}")];

    private static string LastMessage(JsonObject request) => request["messages"]!.AsArray().Last()!["content"]!.GetValue<string>();

    [GeneratedRegex("https?://[^\\s'\"\\]]+")]
    private static partial Regex Urls();
}
