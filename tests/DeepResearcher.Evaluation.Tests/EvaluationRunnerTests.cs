using DeepResearcher.Core.Agent;
using DeepResearcher.Core.Rewards;
using DeepResearcher.Core.Trajectories;
using DeepResearcher.Evaluation.Datasets;
using DeepResearcher.Evaluation.Running;
using DeepResearcher.Evaluation.Runs;

namespace DeepResearcher.Evaluation.Tests;

public class EvaluationRunnerTests
{
    private static readonly RunManifest Manifest = new() { Name = "resume", Kind = "eval", Model = "scripted" };

    private static IReadOnlyList<QaExample> Questions(int count)
        => [.. Enumerable.Range(0, count).Select(i => new QaExample($"q{i:00}", i % 2 == 0 ? "nq" : "tq", $"Question {i}?", [$"answer {i}"]))];

    [Fact]
    public async Task An_interrupted_run_resumes_without_duplicates_or_losses()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using var dir = new TempDirectory();
        var run = new RunDirectory(dir.Path);
        IReadOnlyList<QaExample> questions = Questions(20);
        int calls = 0;
        using var interrupt = CancellationTokenSource.CreateLinkedTokenSource(ct);
        // The 8th model call pulls the plug, as Ctrl-C or a killed job would, with other questions in flight.
        var first = new EvaluationRunner(
            (e, _) => ScriptedPolicy.Answering($"answer {e.Id[1..].TrimStart('0')}", () => { if (Interlocked.Increment(ref calls) == 8) { interrupt.Cancel(); } }),
            new UnconfiguredToolbox(), new EvaluationRunOptions { Concurrency = 3 });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first.RunAsync(run, Manifest, questions, null, interrupt.Token));
        int before = (await run.LoadResultsAsync(ct)).Count;
        Assert.InRange(before, 1, 19);

        // Leave the debris of a hard kill too: an orphan trajectory and a torn, newline-less result line.
        await File.AppendAllTextAsync(run.TrajectoriesPath, TrajectoryJson.Serialize(new Trajectory { Id = "q19", Question = "Question 19?" }) + "\n", ct);
        await File.AppendAllTextAsync(run.ResultsPath, "{\"id\":\"q19\",\"source\":\"tq\",\"predic", ct);

        var log = new List<string>();
        var second = new EvaluationRunner((e, _) => ScriptedPolicy.Answering($"answer {e.Id[1..].TrimStart('0')}"), new UnconfiguredToolbox(), new EvaluationRunOptions { Concurrency = 3 });
        EvaluationRunSummary summary = await second.RunAsync(run, Manifest, questions, new Recorder(log), ct);

        IReadOnlyList<RunResult> results = await run.LoadResultsAsync(ct);
        IReadOnlyDictionary<string, Trajectory> trajectories = await run.LoadTrajectoriesAsync(ct);
        Assert.Equal(before, summary.Skipped);
        Assert.Equal(20 - before, summary.Completed);
        Assert.Equal(questions.Select(q => q.Id).Order(StringComparer.Ordinal), results.Select(r => r.Id).Order(StringComparer.Ordinal));
        Assert.Equal(20, File.ReadAllLines(run.TrajectoriesPath).Length);
        Assert.All(results, r => Assert.True(trajectories.ContainsKey(r.TrajectoryId)));
        Assert.All(results.Where(r => r.Id != "q00"), r => Assert.Equal(1.0, r.Em));
        Assert.Contains(log, l => l.Contains("resuming", StringComparison.Ordinal));

        // A third run finds nothing to do.
        EvaluationRunSummary third = await second.RunAsync(run, Manifest, questions, null, ct);
        Assert.Equal((0, 20), (third.Completed, third.Skipped));
        Assert.Equal(20, (await run.LoadResultsAsync(ct)).Count);
    }

    [Fact]
    public async Task Progress_gets_every_count_in_order_and_replaces_the_line_per_question()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using var dir = new TempDirectory();
        var run = new RunDirectory(dir.Path);
        await new EvaluationRunner((_, _) => ScriptedPolicy.Answering("x"), new UnconfiguredToolbox(), new EvaluationRunOptions())
            .RunAsync(run, Manifest, Questions(3), null, ct);
        var counts = new List<(int Done, int Total, bool HasResult)>();
        var log = new List<string>();
        var runner = new EvaluationRunner((_, _) => ScriptedPolicy.Answering("x"), new UnconfiguredToolbox(), new EvaluationRunOptions { Concurrency = 4 })
        {
            Progress = new Recorder<EvaluationProgress>(p => counts.Add((p.Done, p.Total, p.Latest is not null))),
        };

        await runner.RunAsync(run, Manifest, Questions(12), new Recorder(log), ct);

        // Resumed from 3, then every count to 12 once, in order, each with its result.
        Assert.Equal([(3, 12, false), .. Enumerable.Range(4, 9).Select(n => (n, 12, true))], counts);
        Assert.DoesNotContain(log, l => l.StartsWith("[4/12]", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Resuming_with_another_model_is_refused()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using var dir = new TempDirectory();
        var run = new RunDirectory(dir.Path);
        var runner = new EvaluationRunner((_, _) => ScriptedPolicy.Answering("x"), new UnconfiguredToolbox(), new EvaluationRunOptions());
        await runner.RunAsync(run, Manifest, Questions(1), null, ct);

        var ex = await Assert.ThrowsAsync<EvaluationRunException>(() => runner.RunAsync(run, Manifest with { Model = "another" }, Questions(2), null, ct));

        Assert.Contains("made with model 'scripted'", ex.Message, StringComparison.Ordinal);
        Assert.Single(await run.LoadResultsAsync(ct));
    }

    [Fact]
    public async Task The_manifest_records_the_metric_rules_and_resuming_under_others_is_refused()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using var dir = new TempDirectory();
        var run = new RunDirectory(dir.Path);
        var hotpot = new EvaluationRunner((_, _) => ScriptedPolicy.Answering("x"), new UnconfiguredToolbox(), new EvaluationRunOptions { MetricRules = MetricRules.HotpotQaYesNo });
        await hotpot.RunAsync(run, Manifest, Questions(1), null, ct);
        var published = new EvaluationRunner((_, _) => ScriptedPolicy.Answering("x"), new UnconfiguredToolbox(), new EvaluationRunOptions());

        var ex = await Assert.ThrowsAsync<EvaluationRunException>(() => published.RunAsync(run, Manifest, Questions(2), null, ct));

        Assert.Equal(MetricRules.HotpotQaYesNo, (await run.LoadManifestAsync(ct)).RecordedMetricRules());
        Assert.Contains("scored with metric rules 'published definitions + hotpotqa-yes-no'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("--metric-rules", ex.Message, StringComparison.Ordinal);
        Assert.Null(Manifest.Config[RunManifest.MetricRulesKey]);
        await hotpot.RunAsync(run, Manifest, Questions(2), null, ct);
        Assert.Equal(2, (await run.LoadResultsAsync(ct)).Count);
    }

    [Fact]
    public async Task Samples_get_their_own_lines_and_trajectory_ids()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using var dir = new TempDirectory();
        var run = new RunDirectory(dir.Path);
        var runner = new EvaluationRunner((_, sample) => ScriptedPolicy.Answering(sample == 0 ? "answer 0" : "wrong"), new UnconfiguredToolbox(), new EvaluationRunOptions { Samples = 3 });

        await runner.RunAsync(run, Manifest, Questions(2), null, ct);

        IReadOnlyList<RunResult> results = await run.LoadResultsAsync(ct);
        Assert.Equal(6, results.Count);
        Assert.Equal(["q00.s0", "q00.s1", "q00.s2"], results.Where(r => r.Id == "q00").Select(r => r.TrajectoryId).Order(StringComparer.Ordinal));
        Assert.Equal(1.0, results.Single(r => r is { Id: "q00", Sample: 0 }).Em);
        Assert.True(File.Exists(run.ManifestPath));
    }

    [Fact]
    public async Task Unanswered_trajectories_score_zero_with_their_termination()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using var dir = new TempDirectory();
        var run = new RunDirectory(dir.Path);
        // A turn that breaks the protocol ends the trajectory without an answer.
        var runner = new EvaluationRunner((_, _) => new ScriptedPolicy(["no tags at all"]), new UnconfiguredToolbox(), new EvaluationRunOptions());

        await runner.RunAsync(run, Manifest, Questions(1), null, ct);

        RunResult result = Assert.Single(await run.LoadResultsAsync(ct));
        Assert.Equal("protocol_error", result.Termination);
        Assert.Equal(string.Empty, result.Prediction);
        Assert.Equal(0.0, result.F1);
    }

    [Fact]
    public async Task A_dead_policy_endpoint_stops_the_run_with_its_error()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using var dir = new TempDirectory();
        var run = new RunDirectory(dir.Path);
        var runner = new EvaluationRunner((_, _) => new FailingPolicy(), new UnconfiguredToolbox(), new EvaluationRunOptions { Concurrency = 1, AbortAfterFailures = 3 });

        var ex = await Assert.ThrowsAsync<EvaluationRunException>(() => runner.RunAsync(run, Manifest, Questions(10), null, ct));

        Assert.Contains("connection refused by http://127.0.0.1:9", ex.Message, StringComparison.Ordinal);
        Assert.Empty(await run.LoadResultsAsync(ct));
    }

    [Fact]
    public async Task A_malformed_line_in_the_middle_of_results_names_the_file_and_line()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using var dir = new TempDirectory();
        string path = dir.Write("results.jsonl", "{\"id\":\"a\"}\n{broken\n{\"id\":\"b\"}\n");

        var ex = await Assert.ThrowsAsync<DataFileException>(() => RunResultFile.LoadAsync(path, ct, dropTornTail: true));

        Assert.Equal(2, ex.Line);
        Assert.Contains("results.jsonl:2", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Per_source_sampling_is_seeded_and_limited()
    {
        IReadOnlyList<QaExample> all = Questions(40);
        var selection = new QuestionSelection { PerSource = 5, Seed = 3 };

        IReadOnlyList<QaExample> a = selection.Apply(all);
        IReadOnlyList<QaExample> b = selection.Apply(all);
        IReadOnlyList<QaExample> other = (selection with { Seed = 4 }).Apply(all);

        Assert.Equal(10, a.Count);
        Assert.Equal(5, a.Count(e => e.Source == "nq"));
        Assert.Equal(a.Select(e => e.Id), b.Select(e => e.Id));
        Assert.NotEqual(a.Select(e => e.Id), other.Select(e => e.Id));
        Assert.Equal(4, (selection with { Limit = 4 }).Apply(all).Count);
        Assert.Throws<ArgumentException>(() => new QuestionSelection { Sources = ["hotpotqa"] }.Apply(all));
        Assert.All(new QuestionSelection { Sources = ["NQ"] }.Apply(all), e => Assert.Equal("nq", e.Source));
    }

    private sealed class FailingPolicy : IChatModel
    {
        public string Name => "dead";

        public bool SupportsPrefill => false;

        public Task<ModelReply> GenerateAsync(GenerationRequest request, CancellationToken cancellationToken)
            => throw new HttpRequestException("connection refused by http://127.0.0.1:9");
    }

    private sealed class Recorder<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }

    private sealed class Recorder(List<string> lines) : IProgress<string>
    {
        public void Report(string value)
        {
            lock (lines)
            {
                lines.Add(value);
            }
        }
    }
}
