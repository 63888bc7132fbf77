using System.Text.Json.Nodes;
using DeepResearcher.Core.Trajectories;
using DeepResearcher.Evaluation.Behaviour;
using DeepResearcher.Evaluation.Runs;

namespace DeepResearcher.Evaluation.Reporting;

/// <summary>Everything a report shows, read from a run directory and aggregated once.</summary>
public sealed class RunReportData
{
    public required RunManifest Manifest { get; init; }

    public required IReadOnlyList<RunResult> Results { get; init; }

    public required IReadOnlyDictionary<string, Trajectory> Trajectories { get; init; }

    public IReadOnlyList<JsonObject> Metrics { get; init; } = [];

    public IReadOnlyList<JsonObject> Groups { get; init; } = [];

    /// <summary>Training runs: the warm-start (pretraining and SFT) steps, one object each.</summary>
    public IReadOnlyList<JsonObject> WarmStart { get; init; } = [];

    /// <summary>Training runs: the policy's held-out scores at each stage, in stage order.</summary>
    public IReadOnlyList<JsonObject> Evaluations { get; init; } = [];

    /// <summary>A training run: the report shows its stages and curves.</summary>
    public bool IsTraining => Metrics.Count > 0 || WarmStart.Count > 0 || Evaluations.Count > 0;

    public required ScoreRow Overall { get; init; }

    public required IReadOnlyList<ScoreRow> BySource { get; init; }

    public required IReadOnlyList<ScoreRow> ByHops { get; init; }

    /// <summary>Behaviour of each result that has its trajectory, keyed by trajectory id.</summary>
    public required IReadOnlyDictionary<string, TrajectoryBehaviour> Behaviour { get; init; }

    public required BehaviourSummary BehaviourOverall { get; init; }

    public required IReadOnlyList<BehaviourSummary> BehaviourBySource { get; init; }

    public required IReadOnlyList<BehaviourSummary> BehaviourByHops { get; init; }

    /// <summary>Samples per question (the largest seen): above 1 the report shows avg@n and pass@n.</summary>
    public int SamplesPerQuestion => Results.Count == 0 ? 1 : Results.GroupBy(r => r.Id, StringComparer.Ordinal).Max(g => g.Count());

    public static async Task<RunReportData> LoadAsync(RunDirectory run, CancellationToken cancellationToken)
    {
        RunManifest manifest = await run.LoadManifestAsync(cancellationToken);
        IReadOnlyList<RunResult> results = File.Exists(run.ResultsPath) ? await run.LoadResultsAsync(cancellationToken) : [];
        IReadOnlyDictionary<string, Trajectory> trajectories = await run.LoadTrajectoriesAsync(cancellationToken);
        var behaviour = new Dictionary<string, TrajectoryBehaviour>(StringComparer.Ordinal);
        var analysed = new List<(RunResult Result, TrajectoryBehaviour Behaviour)>();
        foreach (RunResult result in results)
        {
            if (trajectories.TryGetValue(result.TrajectoryId, out Trajectory? trajectory))
            {
                TrajectoryBehaviour b = BehaviourAnalyzer.Analyze(trajectory, result.Prediction, result.Answers);
                behaviour[result.TrajectoryId] = b;
                analysed.Add((result, b));
            }
        }

        return new RunReportData
        {
            Manifest = manifest,
            Results = results,
            Trajectories = trajectories,
            Metrics = await RunDirectory.LoadObjectsAsync(run.MetricsPath, cancellationToken),
            Groups = await RunDirectory.LoadObjectsAsync(run.GroupsPath, cancellationToken),
            WarmStart = await RunDirectory.LoadObjectsAsync(run.WarmStartPath, cancellationToken),
            Evaluations = await RunDirectory.LoadObjectsAsync(run.EvaluationsPath, cancellationToken),
            Overall = ScoreTable.Row("overall", results),
            BySource = ScoreTable.BySource(results),
            ByHops = ScoreTable.ByHops(results),
            Behaviour = behaviour,
            BehaviourOverall = BehaviourSummary.Of("overall", [.. analysed.Select(a => a.Behaviour)]),
            BehaviourBySource = [.. analysed.GroupBy(a => a.Result.Source, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => BehaviourSummary.Of(g.Key, [.. g.Select(a => a.Behaviour)]))],
            BehaviourByHops = [.. analysed.Where(a => a.Result.Hops is not null).GroupBy(a => a.Result.Hops!.Value).OrderBy(g => g.Key)
                .Select(g => BehaviourSummary.Of($"{g.Key} hop{(g.Key == 1 ? string.Empty : "s")}", [.. g.Select(a => a.Behaviour)]))],
        };
    }
}
