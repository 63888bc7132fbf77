using System.Globalization;
using DeepResearcher.Testing;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DeepResearcher.Core.Trajectories;

namespace DeepResearcher.Cli.Tests;

/// <summary>
/// A checkpoint trained by <c>train</c>, served: <c>eval run --checkpoint</c> (the model server in process, called over
/// HTTP) scores exactly what train scored, on a world served on another port, with no agent flags (issue 22: the world's
/// URLs do not name the port, the agent settings come from the checkpoint); and <c>research --model-url</c> against
/// <c>serve model</c> answers a world question through the world's tools (issue 16).
/// </summary>
public sealed partial class TrainedCheckpointEvaluationTests(TrainedTinyRun run) : IClassFixture<TrainedTinyRun>
{
    [Fact]
    public async Task Eval_run_on_the_trained_checkpoint_reproduces_trains_after_grpo_figure_exactly()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        JsonObject afterGrpo = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(run.Train, "evals", "after-grpo.json"), ct))!.AsObject();
        double trainSetF1 = afterGrpo["set_f1"]!.GetValue<double>();
        double trainToolCalls = afterGrpo["tool_calls"]!.GetValue<double>();
        string eval = Path.Combine(run.Root, "eval");

        CliRun evaluated = await CliRun.InvokeAsync("eval", "run", "--checkpoint", run.Checkpoint, "--world", run.World,
            "--data", run.TestFile, "--limit", TrainedTinyRun.Questions.ToString(CultureInfo.InvariantCulture), "--concurrency", "1", "--out", eval);

        Assert.True(evaluated.ExitCode == 0, evaluated.Error);
        Assert.NotEqual(run.TrainPort, ServedPort(evaluated.Error));
        Assert.Matches(@"model server for .*checkpoint at http://127\.0\.0\.1:\d+/v1 \(in process\)", evaluated.Error);
        string[] expected = Results(Path.Combine(run.Train, "run", "results.jsonl"));
        string[] actual = Results(Path.Combine(eval, "results.jsonl"));
        Assert.Equal(expected, actual);
        double evalSetF1 = File.ReadAllLines(Path.Combine(eval, "results.jsonl")).Select(l => JsonNode.Parse(l)!["set_f1"]!.GetValue<double>()).Average();
        Assert.Equal(trainSetF1, evalSetF1);
        List<Trajectory> trainTrajectories = await ReadAsync(Path.Combine(run.Train, "evals", "after-grpo", "trajectories.jsonl"), ct);
        List<Trajectory> evalTrajectories = await ReadAsync(Path.Combine(eval, "trajectories.jsonl"), ct);
        Assert.Equal(trainToolCalls, evalTrajectories.Average(t => (double)t.ToolCallCount()));
        // What the policy read and wrote, turn by turn: the same tokens, the world's URLs included.
        Assert.Equal(Texts(trainTrajectories), Texts(evalTrajectories));
        Assert.Equal(TokenIds(trainTrajectories), TokenIds(evalTrajectories));
        Assert.True(evalTrajectories.Any(t => t.ToolCallCount("web_search") > 0), string.Join("\n---\n", evalTrajectories.Select(t => t.Text())));
        Assert.Contains(evalTrajectories, t => t.Text().Contains("'url': 'http://world.local/", StringComparison.Ordinal));
        JsonObject settingsFrom = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(eval, "run.json"), ct))!["config"]!["agent_settings_from"]!.AsObject();
        Assert.All(settingsFrom, p => Assert.Equal("checkpoint", p.Value!.GetValue<string>()));
    }

    [Fact]
    public async Task Research_against_serve_model_on_the_trained_checkpoint_answers_through_the_worlds_tools()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        int port = FreeLoopbackPort.Next();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var served = new StringWriter();
        var serverLog = new StringWriter();
        Task<int> serving = DeepResearcherCli.InvokeAsync(["serve", "model", run.Checkpoint, "--port", port.ToString(CultureInfo.InvariantCulture)], served, serverLog, stop.Token);
        string apiUrl = $"http://127.0.0.1:{port}/v1";
        await WaitUntilServingAsync(new Uri($"http://127.0.0.1:{port}/health"), serving, serverLog, ct);
        string question = run.First[0].Question;
        string viaServer = Path.Combine(run.Root, "research-served.jsonl");
        string inProcess = Path.Combine(run.Root, "research-checkpoint.jsonl");

        CliRun researched = await CliRun.InvokeAsync("research", question, "--model-url", apiUrl, "--model", run.Checkpoint, "--agent-settings", run.Checkpoint,
            "--world", run.World, "--search", "local", "--temperature", "0", "--out", viaServer);
        // The shortcut with train's tools and protocol-error rule: the in-process server, called over HTTP.
        CliRun shortcut = await CliRun.InvokeAsync("research", question, "--checkpoint", run.Checkpoint,
            "--world", run.World, "--temperature", "0", "--on-protocol-error", "Terminate", "--out", inProcess);

        await stop.CancelAsync();
        Assert.Equal(0, await serving);
        Assert.True(researched.ExitCode == 0, researched.Error);
        Assert.Contains("e.g. research \"QUESTION\" --model-url " + apiUrl, served.ToString(), StringComparison.Ordinal);
        Trajectory trajectory = Assert.Single(await ReadAsync(viaServer, ct));
        // The policy's own tool call reached the world: the search answered with the world's pages.
        Assert.Contains(trajectory.Turns, t => t.ToolCall is { Name: "web_search", Error: null } call && call.Observation.Contains("'url': 'http://world.local/", StringComparison.Ordinal));
        Assert.Contains("[turn 1] web_search: ", researched.Error, StringComparison.Ordinal);
        Assert.Equal(TerminationReason.Answered, trajectory.Termination);
        Assert.Contains("<answer>", trajectory.Text(), StringComparison.Ordinal);
        Assert.Equal(trajectory.FinalAnswer, researched.Output.Trim());
        // research --checkpoint researches exactly as train evaluated the same question with its in-process sampler,
        // token for token (whether or not this small model gets the question right without the chat API's stop strings).
        Assert.True(shortcut.ExitCode is 0 or 1, shortcut.Error);
        Assert.Matches(@"model server for .*checkpoint at http://127\.0\.0\.1:\d+/v1 \(in process\)", shortcut.Error);
        Trajectory again = Assert.Single(await ReadAsync(inProcess, ct));
        Trajectory trained = (await ReadAsync(Path.Combine(run.Train, "evals", "after-grpo", "trajectories.jsonl"), ct)).Single(t => t.QuestionId == run.First[0].Id);
        Assert.Equal(trained.Text(), again.Text());
        Assert.Equal(trained.Segments.SelectMany(s => s.TokenIds ?? []), again.Segments.SelectMany(s => s.TokenIds ?? []));
        Assert.Equal(trained.Termination, again.Termination);
    }

    [Fact]
    public async Task A_checkpoint_and_a_model_url_are_two_policies_and_an_error()
    {
        CliRunAssert.OneLineError(await CliRun.InvokeAsync("research", "q", "--checkpoint", run.Checkpoint, "--model-url", "http://127.0.0.1:9/v1", "--model", "m"),
            "error: --checkpoint DIR serves that checkpoint in process and --model-url names another server: give one policy");
        CliRunAssert.OneLineError(await CliRun.InvokeAsync("eval", "run", "--checkpoint", run.Checkpoint, "--model-url", "http://127.0.0.1:9/v1", "--model", "m", "--data", run.TestFile, "--out", Path.Combine(run.Root, "never")),
            "error: --checkpoint DIR serves that checkpoint in process and --model-url names another server: give one policy");
        CliRunAssert.OneLineError(await CliRun.InvokeAsync("research", "q"), "error: give a policy: --model-url URL --model NAME");
        CliRunAssert.OneLineError(await CliRun.InvokeAsync("research", "q", "--model-url", "http://127.0.0.1:9/v1", "--model", "m", "--agent-settings", run.World),
            $"error: --agent-settings {run.World} has no agent_settings.json");
    }

    private static async Task WaitUntilServingAsync(Uri health, Task<int> serving, StringWriter log, CancellationToken ct)
    {
        using var http = new HttpClient();
        for (int i = 0; i < 1200 && !serving.IsCompleted; i++)
        {
            try
            {
                if ((await http.GetAsync(health, ct)).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(50, ct);
        }

        Assert.Fail($"serve model did not come up: {log}");
    }

    private static async Task<List<Trajectory>> ReadAsync(string path, CancellationToken ct)
    {
        List<Trajectory> trajectories = [];
        await foreach (Trajectory t in TrajectoryJson.ReadAsync(path, ct))
        {
            trajectories.Add(t);
        }

        return trajectories;
    }

    private static string[] Texts(List<Trajectory> trajectories)
        => [.. trajectories.OrderBy(t => t.QuestionId, StringComparer.Ordinal).Select(t => t.QuestionId + "\n" + t.Text())];

    private static string[] TokenIds(List<Trajectory> trajectories)
        => [.. trajectories.OrderBy(t => t.QuestionId, StringComparer.Ordinal).Select(t => t.QuestionId + ": " + string.Join(",", t.Segments.SelectMany(s => s.TokenIds ?? [])))];

    private static string[] Results(string path)
        => [.. File.ReadAllLines(path).Select(l => JsonNode.Parse(l)!).Select(n => $"{n["id"]} | {n["prediction"]} | {n["set_f1"]} | {n["termination"]}").Order(StringComparer.Ordinal)];

    private static int ServedPort(string log)
        => int.Parse(ServedAt().Match(log).Groups["port"].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"served at http://127\.0\.0\.1:(?<port>\d+)")]
    private static partial Regex ServedAt();
}
