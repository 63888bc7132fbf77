using System.Text.Json.Nodes;
using DeepResearcher.Core.Agent;
using DeepResearcher.Core.Protocol;
using DeepResearcher.Core.Rewards;
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

    private GrpoRunLog(RunDirectory run)
    {
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

    /// <summary>The metrics line of one step: rewards, behaviour, the update's statistics and where the time went.</summary>
    public static JsonObject StepMetrics(int step, IReadOnlyList<RolloutGroup> groups, GrpoStepStats stats, float learningRate, double rolloutSeconds, double updateSeconds, double searchCacheHitRate, MetricRules rules = MetricRules.None)
    {
        List<Trajectory> all = [.. groups.SelectMany(g => g.Trajectories)];
        double[] rewards = [.. groups.SelectMany(g => g.Rewards)];
        var answers = groups.SelectMany(g => g.Trajectories.Select(_ => g.Question.Answers)).ToList();
        double toolSeconds = all.Sum(t => t.Turns.Sum(turn => turn.ToolCall?.LatencyMs ?? 0)) / 1000.0;
        return new JsonObject
        {
            ["step"] = step,
            ["reward_mean"] = rewards.Average(),
            ["reward_std"] = Std(rewards),
            ["f1"] = all.Select((t, i) => QaMetrics.SetF1(t.FinalAnswer ?? string.Empty, answers[i], rules)).Average(),
            ["format_error_rate"] = all.Average(t => t.Termination is TerminationReason.ProtocolError or TerminationReason.MaxTurns ? 1.0 : 0.0),
            ["answer_rate"] = all.Average(t => t.Termination == TerminationReason.Answered ? 1.0 : 0.0),
            ["searches"] = all.Average(t => (double)t.ToolCallCount(ResearchTools.WebSearchName)),
            ["browses"] = all.Average(t => (double)t.ToolCallCount(ResearchTools.BrowseWebpageName)),
            ["turns"] = all.Average(t => (double)t.Turns.Count),
            ["response_tokens"] = all.Average(t => (double)t.Usage.CompletionTokens),
            ["kl"] = stats.Kl,
            ["entropy"] = stats.Entropy,
            ["clip_fraction"] = stats.ClipFraction,
            ["grad_norm"] = stats.GradNorm,
            ["lr"] = learningRate,
            ["loss"] = stats.Loss,
            ["dropped_groups"] = stats.DroppedGroups,
            ["time_rollout_s"] = rolloutSeconds,
            // Tool time overlaps sampling (episodes wait on tools while others sample): the sum of call durations, not wall time.
            ["time_tools_s"] = toolSeconds,
            ["time_update_s"] = updateSeconds,
            ["search_cache_hit_rate"] = searchCacheHitRate,
        };
    }

    public async Task AppendAsync(int step, JsonObject metrics, IReadOnlyList<RolloutGroup> groups, CancellationToken cancellationToken)
    {
        foreach (RolloutGroup group in groups)
        {
            await _groups.AppendAsync(new JsonObject
            {
                ["step"] = step,
                ["question_id"] = group.Question.Id,
                ["trajectory_ids"] = new JsonArray([.. group.Trajectories.Select(t => (JsonNode)t.Id)]),
                ["rewards"] = new JsonArray([.. group.Rewards.Select(r => (JsonNode)r)]),
                ["advantages"] = new JsonArray([.. group.Advantages.Select(a => (JsonNode)a)]),
            }.ToJsonString(), cancellationToken);
            foreach (Trajectory t in group.Trajectories)
            {
                await _trajectories.AppendAsync(TrajectoryJson.Serialize(t), cancellationToken);
            }
        }

        // Last: a step counts as logged once its metrics line is there.
        await _metrics.AppendAsync(metrics.ToJsonString(), cancellationToken);
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

    private static double Std(double[] values)
    {
        double mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / Math.Max(1, values.Length));
    }
}
