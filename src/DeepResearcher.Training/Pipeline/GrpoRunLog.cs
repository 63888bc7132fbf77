using System.Globalization;
using System.Text.Json.Nodes;
using DeepResearcher.Core.Trajectories;
using DeepResearcher.Evaluation.Runs;
using DeepResearcher.Training.Grpo;
using DeepResearcher.Training.Rollouts;

namespace DeepResearcher.Training.Pipeline;

/// <summary>
/// The per-step outputs of GRPO in a run directory: metrics.jsonl (one line per step), groups.jsonl and
/// trajectories.jsonl (every rollout, for the report's viewer). A resumed run first drops the lines of steps after
/// its checkpoint, so no step is logged twice.
/// </summary>
public sealed class GrpoRunLog : IAsyncDisposable
{
    private readonly JsonlAppender _metrics;
    private readonly JsonlAppender _groups;
    private readonly JsonlAppender _trajectories;
    private readonly string _name;

    private GrpoRunLog(RunDirectory run)
    {
        _name = Path.GetFileName(Path.TrimEndingDirectorySeparator(run.Root));
        _metrics = new JsonlAppender(run.MetricsPath);
        _groups = new JsonlAppender(run.GroupsPath);
        _trajectories = new JsonlAppender(run.TrajectoriesPath);
    }

    /// <summary>Opens the logs for appending after <paramref name="completedSteps"/> steps (later lines, from a run killed after its checkpoint, are dropped).</summary>
    public static async Task<GrpoRunLog> OpenAsync(RunDirectory run, int completedSteps, CancellationToken cancellationToken)
    {
        foreach (string path in new[] { run.MetricsPath, run.GroupsPath, run.TrajectoriesPath })
        {
            await KeepStepsUpToAsync(path, completedSteps, cancellationToken);
        }

        return new GrpoRunLog(run);
    }

    public async Task AppendAsync(GrpoStepMetrics metrics, IReadOnlyList<RolloutGroup> groups, CancellationToken cancellationToken)
    {
        foreach (RolloutGroup group in groups)
        {
            await _groups.AppendAsync(new JsonObject
            {
                ["step"] = metrics.Step,
                ["question_id"] = group.Question.Id,
                ["trajectory_ids"] = new JsonArray([.. group.Trajectories.Select(t => (JsonNode)t.Id)]),
                ["rewards"] = new JsonArray([.. group.Rewards.Select(r => (JsonNode)r)]),
                ["advantages"] = new JsonArray([.. group.Advantages.Select(a => (JsonNode)a)]),
            }.ToJsonString(), cancellationToken);
            foreach (Rollout rollout in group.Rollouts)
            {
                // Labels for readers of trajectories.jsonl alone; groups.jsonl above holds the values, the rollout the typed ones.
                rollout.Trajectory.Tags["reward"] = rollout.Reward.ToString("R", CultureInfo.InvariantCulture);
                rollout.Trajectory.Tags["advantage"] = rollout.Advantage.ToString("R", CultureInfo.InvariantCulture);
                await _trajectories.AppendAsync(TrajectoryJson.Serialize(rollout.Trajectory), cancellationToken);
            }
        }

        // Last: a step counts as logged once its metrics line is there.
        await _metrics.AppendAsync(metrics.ToJsonLine(), cancellationToken);
        GrpoStepInstruments.Record(_name, metrics);
    }

    public async ValueTask DisposeAsync()
    {
        await _metrics.DisposeAsync();
        await _groups.DisposeAsync();
        await _trajectories.DisposeAsync();
    }

    /// <summary>Drops the lines of steps after <paramref name="step"/> (and a torn last line), rewriting the file atomically.</summary>
    public static async Task KeepStepsUpToAsync(string path, int step, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return;
        }

        string[] lines = await File.ReadAllLinesAsync(path, cancellationToken);
        var kept = new List<string>(lines.Length);
        foreach (string line in lines)
        {
            if (line.Length == 0)
            {
                continue;
            }

            int lineStep;
            try
            {
                lineStep = LineStep(line);
            }
            catch (System.Text.Json.JsonException)
            {
                break; // a torn last line of a killed run
            }

            if (lineStep <= step)
            {
                kept.Add(line);
            }
        }

        if (kept.Count != lines.Length)
        {
            await AtomicFile.WriteAllLinesAsync(path, kept, cancellationToken);
        }
    }

    // Metrics and group lines carry "step"; trajectory lines carry it in their tags.
    private static int LineStep(string line)
    {
        JsonObject node = JsonNode.Parse(line)!.AsObject();
        JsonNode? step = node["step"] ?? node["tags"]?["step"];
        return step is null ? 0 : step.GetValueKind() == System.Text.Json.JsonValueKind.String
            ? int.Parse(step.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)
            : step.GetValue<int>();
    }
}
