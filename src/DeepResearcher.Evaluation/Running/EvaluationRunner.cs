using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using DeepResearcher.Core.Agent;
using DeepResearcher.Core.Protocol;
using DeepResearcher.Core.Rewards;
using DeepResearcher.Core.Trajectories;
using DeepResearcher.Evaluation.Datasets;
using DeepResearcher.Evaluation.Runs;

namespace DeepResearcher.Evaluation.Running;

/// <summary>
/// Runs the research agent on every question (n samples each) with bounded concurrency and records each finished
/// trajectory and its scored result in a run directory. Resumable: results already on disk are skipped, so an
/// interrupted run continues where it stopped without duplicates or losses.
/// </summary>
public sealed class EvaluationRunner
{
    private readonly TrajectorySource _source;
    private readonly EvaluationRunOptions _options;

    /// <summary>The research agent with <paramref name="policy"/> on <paramref name="toolbox"/>.</summary>
    public EvaluationRunner(PolicyFactory policy, IToolbox toolbox, EvaluationRunOptions options)
        : this(AgentSource(policy, toolbox, options), options)
    {
    }

    public EvaluationRunner(TrajectorySource source, EvaluationRunOptions options)
    {
        _source = source;
        _options = options;
    }

    /// <summary>
    /// Receives the count after every finished trajectory. When set, the log gets no line per question (a console turns
    /// the counts into a bar or a few lines); without it, the log gets one line per question.
    /// </summary>
    public IProgress<EvaluationProgress>? Progress { get; init; }

    public async Task<EvaluationRunSummary> RunAsync(
        RunDirectory run, RunManifest manifest, IReadOnlyList<QaExample> examples, IProgress<string>? log, CancellationToken cancellationToken)
    {
        if (_options.Samples < 1)
        {
            throw new ArgumentException($"samples must be at least 1 (got {_options.Samples})");
        }

        var clock = Stopwatch.StartNew();
        Directory.CreateDirectory(run.Root);
        JsonObject config = manifest.Config.DeepClone().AsObject();
        config[RunManifest.MetricRulesKey] = new JsonArray([.. MetricRuleNames.Format(_options.MetricRules).Select(n => (JsonNode)n)]);
        manifest = manifest with { Config = config };
        if (!File.Exists(run.ManifestPath))
        {
            await manifest.SaveAsync(run.ManifestPath, cancellationToken);
        }
        else
        {
            // Resuming with another policy or dataset would mix two evaluations in one table.
            RunManifest existing = await RunManifest.LoadAsync(run.ManifestPath, cancellationToken);
            if (existing.Model != manifest.Model || existing.Data != manifest.Data)
            {
                throw new EvaluationRunException(
                    $"{run.ManifestPath}: this run was made with model '{existing.Model}' on '{existing.Data}', not '{manifest.Model}' on '{manifest.Data}'; " +
                    "resume it with the same policy and data, or write to a new --out directory");
            }

            // Each result line carries its scores: resuming under other metric rules would mix two definitions in one mean.
            if (existing.RecordedMetricRules() != _options.MetricRules)
            {
                throw new EvaluationRunException(
                    $"{run.ManifestPath}: this run was scored with metric rules '{existing.MetricsDescription()}', not '{MetricRuleNames.Describe(_options.MetricRules)}'; " +
                    "resume it with the same --metric-rules, or write to a new --out directory");
            }
        }

        HashSet<(string, int)> done = await PrepareResumeAsync(run, log, cancellationToken);
        var work = new List<(QaExample Example, int Sample)>();
        foreach (QaExample example in examples)
        {
            for (int sample = 0; sample < _options.Samples; sample++)
            {
                if (!done.Contains((example.Id, sample)))
                {
                    work.Add((example, sample));
                }
            }
        }

        int total = examples.Count * _options.Samples;
        int skipped = total - work.Count;
        if (skipped > 0)
        {
            log?.Report($"resuming: {skipped} of {total} already in {RunFiles.Results}, {work.Count} to run");
        }

        int completed = 0, failures = 0;
        var progressOrder = new Lock();
        Progress?.Report(new EvaluationProgress(skipped, total, null));
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        string? abortReason = null;
        await using (var trajectories = new JsonlAppender(run.TrajectoriesPath))
        await using (var results = new JsonlAppender(run.ResultsPath))
        {
            try
            {
                await Parallel.ForEachAsync(
                    work,
                    new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, _options.Concurrency), CancellationToken = abort.Token },
                    async (item, ct) =>
                    {
                        (QaExample example, int sample) = item;
                        Trajectory trajectory = await _source(example, sample, TrajectoryId(example.Id, sample, _options.Samples), ct);
                        Tag(trajectory, example, sample);
                        if (trajectory.Termination == TerminationReason.ModelFailure)
                        {
                            int failed = Interlocked.Increment(ref failures);
                            log?.Report($"model failure on {example.Id} (not recorded; a rerun retries it): {trajectory.TerminationDetail}");
                            if (failed >= _options.AbortAfterFailures && Volatile.Read(ref completed) == 0)
                            {
                                abortReason = $"the policy failed on the first {failed} questions, stopping: {trajectory.TerminationDetail}";
                                await abort.CancelAsync();
                            }

                            return;
                        }

                        RunResult result = RunScoring.ToResult(example, sample, trajectory, _options.MetricRules);
                        // Trajectory first: a result line is the commit mark, and resume drops trajectories without one.
                        await trajectories.AppendAsync(TrajectoryJson.Serialize(trajectory), ct);
                        // Once its trajectory is on disk, the result goes too: a pair split by Ctrl-C would be run again.
                        await results.AppendAsync(result.ToJsonLine(), CancellationToken.None);
                        if (Progress is not null)
                        {
                            // Counted and reported under one lock, so the counts arrive in order.
                            lock (progressOrder)
                            {
                                Progress.Report(new EvaluationProgress(Interlocked.Increment(ref completed) + skipped, total, result));
                            }
                        }
                        else
                        {
                            int count = Interlocked.Increment(ref completed);
                            log?.Report(ProgressLine(count + skipped, total, result, trajectory));
                        }
                    });
            }
            catch (OperationCanceledException) when (abortReason is not null && !cancellationToken.IsCancellationRequested)
            {
                throw new EvaluationRunException(abortReason);
            }
        }

        return new EvaluationRunSummary(completed, skipped, failures, clock.Elapsed);
    }

    private static TrajectorySource AgentSource(PolicyFactory policy, IToolbox toolbox, EvaluationRunOptions options)
        => (example, sample, trajectoryId, ct) =>
        {
            ResearchAgentOptions agentOptions = options.Agent;
            if (agentOptions.Sampling.Seed is long seed && options.Samples > 1)
            {
                agentOptions = agentOptions with { Sampling = agentOptions.Sampling with { Seed = seed + sample } };
            }

            return new ResearchAgent(policy(example, sample), toolbox, agentOptions).RunAsync(example.Question, ct, example.Id, trajectoryId);
        };

    public static string TrajectoryId(string questionId, int sample, int samples)
        => samples > 1 ? $"{questionId}.s{sample.ToString(CultureInfo.InvariantCulture)}" : questionId;

    private static void Tag(Trajectory trajectory, QaExample example, int sample)
    {
        trajectory.Tags["source"] = example.Source;
        trajectory.Tags["sample"] = sample.ToString(CultureInfo.InvariantCulture);
        if (example.Hops is int hops)
        {
            trajectory.Tags["hops"] = hops.ToString(CultureInfo.InvariantCulture);
        }

        if (example.Type is { } type)
        {
            trajectory.Tags["type"] = type;
        }
    }

    private static string ProgressLine(int index, int total, RunResult result, Trajectory trajectory)
    {
        string answer = result.Prediction.Length > 60 ? result.Prediction[..57] + "..." : result.Prediction;
        return string.Create(CultureInfo.InvariantCulture,
            $"[{index}/{total}] {result.Id}{(result.Sample > 0 ? $"#{result.Sample}" : string.Empty)} ({result.Source}): " +
            $"{(result.Termination == "answered" ? $"'{answer}'" : result.Termination)} em={result.Em:0} f1={result.F1:0.00} " +
            $"searches={trajectory.ToolCallCount(ResearchTools.WebSearchName)} browses={trajectory.ToolCallCount(ResearchTools.BrowseWebpageName)} " +
            $"turns={trajectory.Turns.Count} {trajectory.ElapsedMs / 1000:0.0}s");
    }

    /// <summary>
    /// Reads what an earlier run finished (dropping a torn last line) and removes trajectories that never got their
    /// result line, so the rerun of those questions does not duplicate them.
    /// </summary>
    private static async Task<HashSet<(string, int)>> PrepareResumeAsync(RunDirectory run, IProgress<string>? log, CancellationToken cancellationToken)
    {
        var done = new HashSet<(string, int)>();
        var committed = new HashSet<string>(StringComparer.Ordinal);
        if (File.Exists(run.ResultsPath))
        {
            foreach (RunResult result in await RunResultFile.LoadAsync(run.ResultsPath, cancellationToken, dropTornTail: true))
            {
                done.Add(result.Key);
                committed.Add(result.TrajectoryId);
            }
        }

        if (!File.Exists(run.TrajectoriesPath))
        {
            return done;
        }

        var kept = new List<string>();
        var keptIds = new HashSet<string>(StringComparer.Ordinal);
        int dropped = 0;
        foreach (string line in await File.ReadAllLinesAsync(run.TrajectoriesPath, cancellationToken))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            string? id = TryReadId(line);
            if (id is not null && committed.Contains(id) && keptIds.Add(id))
            {
                kept.Add(line);
            }
            else
            {
                dropped++;
            }
        }

        if (dropped > 0)
        {
            log?.Report($"resuming: dropped {dropped} trajectories without a result line from {RunFiles.Trajectories}");
            await AtomicFile.WriteAllLinesAsync(run.TrajectoriesPath, kept, cancellationToken);
        }

        return done;
    }

    private static string? TryReadId(string line)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(line);
            return document.RootElement.TryGetProperty("id", out JsonElement id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
