using System.Text.Json;
using System.Text.Json.Serialization;
using DeepResearcher.Core.Protocol;
using DeepResearcher.Core.Rewards;
using DeepResearcher.Core.Trajectories;
using DeepResearcher.Training.Rollouts;

namespace DeepResearcher.Training.Grpo;

/// <summary>
/// One line of a run's metrics.jsonl: the step's rewards, how its rollouts came out, what they did, the update's
/// statistics and where the time went. Typed, so the pipeline and tests read properties rather than string keys; the
/// JSON keys (docs/run-format.md) are the ones reports and older runs use, in the same order, the outcome rates named
/// after <see cref="OutcomeRates"/> appended at the end.
/// </summary>
public sealed record GrpoStepMetrics
{
    private static readonly JsonSerializerOptions Json = new();

    [JsonPropertyName("step")]
    public required int Step { get; init; }

    [JsonPropertyName("reward_mean")]
    public required double RewardMean { get; init; }

    [JsonPropertyName("reward_std")]
    public required double RewardStd { get; init; }

    /// <summary>Mean set-F1 of the rollouts' predictions (0 without an answer).</summary>
    [JsonPropertyName("f1")]
    public required double F1 { get; init; }

    /// <summary>
    /// Protocol errors plus max-turns endings (<see cref="OutcomeRates.ProtocolErrorOrMaxTurnsRate"/>): the old step-log
    /// definition of "format errors", kept under its key for old curves; read <see cref="ProtocolErrorRate"/> and
    /// <see cref="NoAnswerRate"/> instead.
    /// </summary>
    [JsonPropertyName("format_error_rate")]
    public required double ProtocolErrorOrMaxTurnsRate { get; init; }

    [JsonPropertyName("answer_rate")]
    public required double AnswerRate { get; init; }

    [JsonPropertyName("searches")]
    public required double Searches { get; init; }

    [JsonPropertyName("browses")]
    public required double Browses { get; init; }

    [JsonPropertyName("turns")]
    public required double Turns { get; init; }

    [JsonPropertyName("response_tokens")]
    public required double ResponseTokens { get; init; }

    [JsonPropertyName("kl")]
    public required double Kl { get; init; }

    [JsonPropertyName("entropy")]
    public required double Entropy { get; init; }

    [JsonPropertyName("clip_fraction")]
    public required double ClipFraction { get; init; }

    [JsonPropertyName("grad_norm")]
    public required double GradNorm { get; init; }

    [JsonPropertyName("lr")]
    public required float Lr { get; init; }

    [JsonPropertyName("loss")]
    public required double Loss { get; init; }

    [JsonPropertyName("dropped_groups")]
    public required int DroppedGroups { get; init; }

    [JsonPropertyName("time_rollout_s")]
    public required double TimeRolloutSeconds { get; init; }

    /// <summary>Tool time overlaps sampling (episodes wait on tools while others sample): the sum of call durations, not wall time.</summary>
    [JsonPropertyName("time_tools_s")]
    public required double TimeToolsSeconds { get; init; }

    [JsonPropertyName("time_update_s")]
    public required double TimeUpdateSeconds { get; init; }

    [JsonPropertyName("search_cache_hit_rate")]
    public required double SearchCacheHitRate { get; init; }

    /// <summary>Share of rollouts ended on a malformed turn (<see cref="OutcomeRates.ProtocolErrorRate"/>).</summary>
    [JsonPropertyName("protocol_error_rate")]
    public double ProtocolErrorRate { get; init; }

    /// <summary>Share of rollouts ended without an answer otherwise: max turns, context, a tool or the model (<see cref="OutcomeRates.NoAnswerRate"/>).</summary>
    [JsonPropertyName("no_answer_rate")]
    public double NoAnswerRate { get; init; }

    /// <summary>Share of rollouts the reward scored −1: unbalanced tags in the policy's text, or no answer (<see cref="TrajectoryOutcome.EarnsFormatPenalty"/>).</summary>
    [JsonPropertyName("format_penalty_rate")]
    public double FormatPenaltyRate { get; init; }

    /// <summary>Searches plus browses per rollout, as the step's log line prints them.</summary>
    [JsonIgnore]
    public double ToolCalls => Searches + Browses;

    /// <summary>The metrics of one step from its groups and its update.</summary>
    public static GrpoStepMetrics Of(int step, IReadOnlyList<RolloutGroup> groups, GrpoStepStats stats, float learningRate, double rolloutSeconds, double updateSeconds, double searchCacheHitRate, MetricRules rules = MetricRules.None)
    {
        List<Rollout> rollouts = [.. groups.SelectMany(g => g.Rollouts)];
        List<Trajectory> all = [.. rollouts.Select(r => r.Trajectory)];
        double[] rewards = [.. rollouts.Select(r => r.Reward)];
        var answers = groups.SelectMany(g => g.Rollouts.Select(_ => g.Question.Answers)).ToList();
        OutcomeRates outcomes = OutcomeRates.Of(rollouts.Select(r => r.Outcome));
        double toolSeconds = all.Sum(t => t.Turns.Sum(turn => turn.ToolCall?.LatencyMs ?? 0)) / 1000.0;
        return new GrpoStepMetrics
        {
            Step = step,
            RewardMean = rewards.Average(),
            RewardStd = Std(rewards),
            F1 = rollouts.Select((r, i) => QaMetrics.SetF1(r.Outcome.Prediction, answers[i], rules)).Average(),
            ProtocolErrorOrMaxTurnsRate = outcomes.ProtocolErrorOrMaxTurnsRate,
            AnswerRate = outcomes.AnswerRate,
            Searches = all.Average(t => (double)t.ToolCallCount(ResearchTools.WebSearchName)),
            Browses = all.Average(t => (double)t.ToolCallCount(ResearchTools.BrowseWebpageName)),
            Turns = all.Average(t => (double)t.Turns.Count),
            ResponseTokens = all.Average(t => (double)t.Usage.CompletionTokens),
            Kl = stats.Kl,
            Entropy = stats.Entropy,
            ClipFraction = stats.ClipFraction,
            GradNorm = stats.GradNorm,
            Lr = learningRate,
            Loss = stats.Loss,
            DroppedGroups = stats.DroppedGroups,
            TimeRolloutSeconds = rolloutSeconds,
            TimeToolsSeconds = toolSeconds,
            TimeUpdateSeconds = updateSeconds,
            SearchCacheHitRate = searchCacheHitRate,
            ProtocolErrorRate = outcomes.ProtocolErrorRate,
            NoAnswerRate = outcomes.NoAnswerRate,
            FormatPenaltyRate = rollouts.Count == 0 ? 0 : (double)rollouts.Count(r => r.Outcome.EarnsFormatPenalty) / rollouts.Count,
        };
    }

    /// <summary>The metrics.jsonl line.</summary>
    public string ToJsonLine() => JsonSerializer.Serialize(this, Json);

    /// <summary>A metrics.jsonl line read back (a line from before the outcome rates were logged reads them as 0).</summary>
    public static GrpoStepMetrics FromJsonLine(string line)
        => JsonSerializer.Deserialize<GrpoStepMetrics>(line, Json) ?? throw new JsonException("a metrics.jsonl line is null");

    private static double Std(double[] values)
    {
        double mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / Math.Max(1, values.Length));
    }
}
