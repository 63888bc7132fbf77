using System.Text.Json.Nodes;
using DeepResearcher.Cli;
using DeepResearcher.Evaluation.Runs;
using DeepResearcher.Testing;
using DeepResearcher.World.Building;
using DeepResearcher.World.Generation;

namespace DeepResearcher.Evaluation.Tests;

/// <summary>The eval run / eval judge / report commands, in process.</summary>
public class CliCommandTests
{
    private static async Task<(int Code, string Output, string Error)> Cli(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await DeepResearcherCli.InvokeAsync(args, output, error, TestContext.Current.CancellationToken);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Eval_run_with_the_expert_then_report_prints_the_same_table_as_eval_score()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using var dir = new TempDirectory();
        string world = dir.File("world");
        await WorldBuilder.BuildAsync(new WorldBuildOptions { OutDir = world, Seed = 3, Size = WorldSize.Tiny }, null, ct);
        string data = Path.Combine(world, "questions", "dev.jsonl");
        string run = dir.File("run");

        var first = await Cli("eval", "run", "--data", data, "--expert", world, "--out", run, "--limit", "6", "--concurrency", "2");
        var again = await Cli("eval", "run", "--data", data, "--expert", world, "--out", run, "--limit", "10", "--concurrency", "2");

        Assert.True(first.Code == 0, first.Error);
        Assert.True(again.Code == 0, again.Error);
        Assert.Contains("resuming: 6 of 10 already in results.jsonl, 4 to run", again.Error, StringComparison.Ordinal);
        IReadOnlyList<RunResult> results = await new RunDirectory(run).LoadResultsAsync(ct);
        Assert.Equal(10, results.Select(r => r.Id).Distinct().Count());
        Assert.True(File.Exists(Path.Combine(run, "report.html")));

        var ids = results.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        string subset = dir.Write("subset.jsonl", string.Join('\n', File.ReadLines(data).Where(line => ids.Contains(JsonNode.Parse(line)!["id"]!.GetValue<string>()))) + "\n");
        string predictions = dir.Write("pred.jsonl", string.Join('\n', results.Select(r => new JsonObject { ["id"] = r.Id, ["prediction"] = r.Prediction }.ToJsonString())) + "\n");
        var score = await Cli("eval", "score", "--predictions", predictions, "--data", subset);
        var report = await Cli("report", run);

        Assert.Equal(0, score.Code);
        Assert.Equal(0, report.Code);
        Assert.Equal(score.Output, again.Output);
        Assert.StartsWith(score.Output, report.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Eval_judge_fills_mbe_and_reports_failures_without_counting_them_wrong()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using var dir = new TempDirectory();
        var run = new RunDirectory(dir.Path);
        await RunResultFile.RewriteAsync(run.ResultsPath,
        [
            new RunResult { Id = "a", Source = "nq", Question = "Big Apple?", Answers = ["New York"], Prediction = "NYC", TrajectoryId = "a" },
            new RunResult { Id = "b", Source = "nq", Question = "Sky?", Answers = ["blue"], Prediction = "azure-ish", TrajectoryId = "b" },
        ], ct);
        await using ScriptedOpenAIServer server = await ScriptedOpenAIServer.StartAsync(ct);
        server.EnqueueText("{\"rationale\": \"same city\", \"judgement\": \"correct\"}", "nonsense", "nonsense", "nonsense");

        var judged = await Cli("eval", "judge", dir.Path, "--judge-url", server.BaseUrl.ToString(), "--judge-model", "judge", "--concurrency", "1", "--retries", "0");

        Assert.True(judged.Code == 0, judged.Error);
        IReadOnlyList<RunResult> results = await run.LoadResultsAsync(ct);
        Assert.Equal(1, results[0].Mbe);
        Assert.Null(results[1].Mbe);
        Assert.True(results[1].JudgeFailed);
        Assert.Contains("1 judge failures", judged.Error, StringComparison.Ordinal);
        Assert.Contains("MBE 100.0 over 1 judged", judged.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_judge_exits_non_zero_naming_the_endpoint()
    {
        using var dir = new TempDirectory();
        await RunResultFile.RewriteAsync(Path.Combine(dir.Path, RunFiles.Results),
            [new RunResult { Id = "a", Question = "q", Answers = ["x"], Prediction = "y", TrajectoryId = "a" }], TestContext.Current.CancellationToken);

        var judged = await Cli("eval", "judge", dir.Path, "--judge-url", "http://127.0.0.1:9/v1", "--judge-model", "j", "--retries", "0", "--timeout", "5");

        Assert.Equal(2, judged.Code);
        Assert.Contains("http://127.0.0.1:9/v1", judged.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("missing-dir", "run directory not found")]
    [InlineData("empty-dir", "results.jsonl: not found")]
    [InlineData("bad-line", "results.jsonl:2: not a valid result line")]
    public async Task Report_rejects_bad_run_directories_with_a_clear_message(string situation, string expected)
    {
        using var dir = new TempDirectory();
        string run = Path.Combine(dir.Path, "run");
        if (situation != "missing-dir")
        {
            Directory.CreateDirectory(run);
        }

        if (situation == "bad-line")
        {
            await File.WriteAllTextAsync(Path.Combine(run, RunFiles.Results), "{\"id\":\"a\"}\n{nope\n", TestContext.Current.CancellationToken);
        }

        var report = await Cli("report", run);

        Assert.Equal(2, report.Code);
        Assert.Contains(expected, report.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Eval_score_names_its_metric_rules_in_help_output_and_errors()
    {
        using var dir = new TempDirectory();
        string data = dir.Write("data.jsonl", "{\"id\": \"q1\", \"source\": \"nq\", \"question\": \"Capital of France?\", \"answers\": [\"Paris\"]}\n");
        string predictions = dir.Write("pred.jsonl", "{\"id\": \"q1\", \"prediction\": \"\u201cParis\u201d\"}\n");

        var help = await Cli("eval", "score", "--help");
        var published = await Cli("eval", "score", "--predictions", predictions, "--data", data, "--json");
        var widened = await Cli("eval", "score", "--predictions", predictions, "--data", data, "--json", "--metric-rules", "unicode-punctuation, hotpotqa-yes-no");
        var table = await Cli("eval", "score", "--predictions", predictions, "--data", data);
        var wrong = await Cli("eval", "score", "--predictions", predictions, "--data", data, "--metric-rules", "unicode");

        Assert.Contains("unicode-punctuation", help.Output, StringComparison.Ordinal);
        Assert.Contains("hotpotqa-yes-no", help.Output, StringComparison.Ordinal);
        Assert.Equal(0.0, JsonNode.Parse(published.Output)!["overall"]!["em"]!.GetValue<double>());
        Assert.Empty(JsonNode.Parse(published.Output)!["metric_rules"]!.AsArray());
        Assert.Equal(1.0, JsonNode.Parse(widened.Output)!["overall"]!["em"]!.GetValue<double>());
        Assert.Equal(["unicode-punctuation", "hotpotqa-yes-no"], JsonNode.Parse(widened.Output)!["metric_rules"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Contains("metrics: published definitions (SQuAD v1.1 EM/F1, the original's set-F1)", table.Output, StringComparison.Ordinal);
        Assert.NotEqual(0, wrong.Code);
        Assert.Contains("'unicode' is not a metric rule; the rules are unicode-punctuation, hotpotqa-yes-no", wrong.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Eval_run_needs_exactly_one_policy()
    {
        using var dir = new TempDirectory();
        string data = dir.Write("d.jsonl", "{\"id\":\"a\",\"source\":\"nq\",\"question\":\"q\",\"answers\":[\"x\"]}\n");

        var none = await Cli("eval", "run", "--data", data, "--out", dir.File("run"));
        var bad = await Cli("eval", "run", "--data", data, "--out", dir.File("run"), "--expert", dir.Path);

        Assert.Equal(2, none.Code);
        Assert.Contains("give exactly one policy", none.Error, StringComparison.Ordinal);
        Assert.Equal(2, bad.Code);
        Assert.Contains("--expert", bad.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Eval_run_with_a_served_model_samples_and_judges_inline()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using var dir = new TempDirectory();
        string data = dir.Write("d.jsonl",
            "{\"id\":\"a\",\"source\":\"nq\",\"question\":\"Big Apple?\",\"answers\":[\"New York\"]}\n" +
            "{\"id\":\"b\",\"source\":\"tq\",\"question\":\"Sky?\",\"answers\":[\"blue\"]}\n");
        await using ScriptedOpenAIServer policy = await ScriptedOpenAIServer.StartAsync(ct);
        policy.Fallback = ScriptedReply.Text("<think>I recall it.</think>\n<answer>NYC</answer>");
        await using ScriptedOpenAIServer judge = await ScriptedOpenAIServer.StartAsync(ct);
        judge.Fallback = ScriptedReply.Text("{\"rationale\": \"same\", \"judgement\": \"correct\"}");
        string run = dir.File("run");

        var result = await Cli("eval", "run", "--data", data, "--out", run, "--model-url", policy.BaseUrl.ToString(), "--model", "m",
            "--baseline", "cot", "--samples", "2", "--judge-url", judge.BaseUrl.ToString(), "--judge-model", "j");

        Assert.True(result.Code == 0, result.Error);
        IReadOnlyList<RunResult> results = await new RunDirectory(run).LoadResultsAsync(ct);
        Assert.Equal(4, results.Count);
        Assert.Equal(4, policy.Requests.Count);
        Assert.All(policy.Requests, r => Assert.Equal(1.0, r["temperature"]!.GetValue<double>(), 3));
        // Same question, answers and prediction for both samples of a question: the cache makes one call per question.
        Assert.Equal(2, judge.Requests.Count);
        Assert.All(results, r => Assert.Equal(1, r.Mbe));
        string page = await File.ReadAllTextAsync(Path.Combine(run, RunFiles.HtmlReport), ct);
        Assert.Contains("F1 pass@2", page, StringComparison.Ordinal);
        Assert.Contains("m (CoT)", page, StringComparison.Ordinal);
    }
}
