using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DeepResearcher.Testing;
using DeepResearcher.World.Building;
using DeepResearcher.World.Generation;
using DeepResearcher.World.Questions;
using DeepResearcher.World.Storage;

namespace DeepResearcher.Cli.Tests;

/// <summary>
/// `research` end to end in the offline world: a scripted model behind a loopback OpenAI-compatible server searches,
/// reads the page it found over real HTTP (extractive reader) and answers from what it read.
/// </summary>
public sealed partial class ResearchInWorldTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private string _world = string.Empty;

    public async ValueTask InitializeAsync()
    {
        _world = Path.Combine(_dir.Path, "world");
        await WorldBuilder.BuildAsync(new WorldBuildOptions { OutDir = _world, Seed = 21, Size = WorldSize.Tiny }, null, TestContext.Current.CancellationToken);
    }

    public ValueTask DisposeAsync()
    {
        _dir.Dispose();
        return ValueTask.CompletedTask;
    }

    [Theory]
    [InlineData("local")]
    [InlineData(null)]
    public async Task Answers_a_one_hop_question_over_real_http(string? search)
    {
        IReadOnlyList<WorldQuestion> dev = await QuestionJsonl.ReadAsync(WorldFiles.FullPath(_world, WorldFiles.QuestionFile(QuestionSplit.Dev)), TestContext.Current.CancellationToken);
        WorldQuestion question = dev.First(q => q.Type == QuestionType.OneHop);
        QuestionStep step = question.Path[0];
        await using ScriptedOpenAIServer server = await ScriptedOpenAIServer.StartAsync(TestContext.Current.CancellationToken);
        server.Enqueue(
            ScriptedReply.Text($"<think>Search first.</think>\n<tool_call>\n{{\"name\": \"web_search\", \"arguments\": {{\"query\": [\"{step.Query}\"]}}}}\n</tool_call>"),
            ScriptedReply.From(request =>
            {
                string url = Urls().Matches(LastMessage(request)).Select(m => m.Value).First(u => new Uri(u).AbsolutePath == step.Page);
                return $"<think>Read the page.</think>\n<tool_call>\n{{\"name\": \"browse_webpage\", \"arguments\": {{\"url_list\": [\"{url}\"]}}}}\n</tool_call>";
            }),
            ScriptedReply.From(request => LastMessage(request).Contains(step.Value, StringComparison.OrdinalIgnoreCase)
                ? $"<think>The page says it.</think>\n<answer>{question.Answers[0]}</answer>"
                : "<think>Not found.</think>\n<answer>unknown</answer>"));
        string[] args = ["research", question.Question, "--model-url", server.BaseUrl.ToString(), "--model", "scripted", "--world", _world, "--reader", "extractive"];
        if (search is not null)
        {
            args = [.. args, "--search", search];
        }

        CliRun run = await CliRun.InvokeAsync(args);

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Equal(question.Answers[0], run.Output.Trim());
        Assert.Contains("tools: offline world", run.Error, StringComparison.Ordinal);
        Assert.Contains("[turn 2] browse_webpage: http://world.local/wiki/", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_recorded_research_replays_offline()
    {
        IReadOnlyList<WorldQuestion> dev = await QuestionJsonl.ReadAsync(WorldFiles.FullPath(_world, WorldFiles.QuestionFile(QuestionSplit.Dev)), TestContext.Current.CancellationToken);
        WorldQuestion question = dev.First(q => q.Type == QuestionType.OneHop);
        string snapshot = Path.Combine(_dir.Path, "snapshot");
        string searchTurn = $"<think>Search.</think>\n<tool_call>\n{{\"name\": \"web_search\", \"arguments\": {{\"query\": [\"{question.Path[0].Query}\"]}}}}\n</tool_call>";
        await using ScriptedOpenAIServer server = await ScriptedOpenAIServer.StartAsync(TestContext.Current.CancellationToken);
        server.Enqueue(
            ScriptedReply.Text(searchTurn),
            ScriptedReply.From(request => $"<think>Done.</think>\n<answer>{(LastMessage(request).Contains(question.Path[0].Page, StringComparison.Ordinal) ? "found" : "missing")}</answer>"),
            ScriptedReply.Text(searchTurn),
            ScriptedReply.From(request => $"<think>Done.</think>\n<answer>{(LastMessage(request).Contains(question.Path[0].Page, StringComparison.Ordinal) ? "found" : "missing")}</answer>"));

        CliRun recorded = await CliRun.InvokeAsync("research", question.Question, "--model-url", server.BaseUrl.ToString(), "--model", "m", "--world", _world, "--record", snapshot);
        CliRun replayed = await CliRun.InvokeAsync("research", question.Question, "--model-url", server.BaseUrl.ToString(), "--model", "m", "--replay", snapshot);

        Assert.Equal("found", recorded.Output.Trim());
        Assert.Equal("found", replayed.Output.Trim());
        Assert.Contains("tools: replay of", replayed.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unconfigured_provider_is_a_clear_error()
    {
        CliRun run = await CliRun.InvokeAsync("research", "q", "--model-url", "http://127.0.0.1:9/v1", "--model", "m", "--search", "brave");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("BRAVE_API_KEY", run.Error, StringComparison.Ordinal);
    }

    private static string LastMessage(JsonObject request) => request["messages"]!.AsArray().Last()!["content"]!.GetValue<string>();

    [GeneratedRegex("https?://[^\\s'\"\\]]+")]
    private static partial Regex Urls();
}
