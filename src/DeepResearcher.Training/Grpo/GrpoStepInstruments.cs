using System.Diagnostics.Metrics;

namespace DeepResearcher.Training.Grpo;

/// <summary>
/// The GRPO step metrics as <see cref="System.Diagnostics.Metrics"/> instruments, beside metrics.jsonl (which stays the
/// record): a gauge per figure, a step counter and the step's time by phase, each tagged with the run's name so
/// several runs can report to one collector. A host exports them (<c>train --otlp-endpoint</c>); without a listener
/// recording costs nothing.
/// </summary>
public static class GrpoStepInstruments
{
    public const string MeterName = "DeepResearcher.Training";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> Steps = Meter.CreateCounter<long>("deepresearcher_train_steps_total", description: "GRPO steps completed.");

    private static readonly Histogram<double> StepSeconds = Meter.CreateHistogram<double>("deepresearcher_train_step_seconds", "s", "Time of a GRPO step by phase (rollout, update).");

    private static readonly (Gauge<double> Gauge, Func<GrpoStepMetrics, double> Value)[] Figures =
    [
        (Meter.CreateGauge<double>("deepresearcher_train_step", description: "The last GRPO step completed."), m => m.Step),
        (Meter.CreateGauge<double>("deepresearcher_train_reward_mean", description: "Mean reward of the step's rollouts."), m => m.RewardMean),
        (Meter.CreateGauge<double>("deepresearcher_train_reward_std", description: "Standard deviation of the step's rewards."), m => m.RewardStd),
        (Meter.CreateGauge<double>("deepresearcher_train_f1", description: "Mean set-F1 of the step's predictions."), m => m.F1),
        (Meter.CreateGauge<double>("deepresearcher_train_answer_rate", description: "Share of rollouts that answered."), m => m.AnswerRate),
        (Meter.CreateGauge<double>("deepresearcher_train_protocol_error_rate", description: "Share of rollouts ended on a malformed turn."), m => m.ProtocolErrorRate),
        (Meter.CreateGauge<double>("deepresearcher_train_tool_calls", description: "Searches plus browses per rollout."), m => m.ToolCalls),
        (Meter.CreateGauge<double>("deepresearcher_train_turns", description: "Turns per rollout."), m => m.Turns),
        (Meter.CreateGauge<double>("deepresearcher_train_response_tokens", description: "Generated tokens per rollout."), m => m.ResponseTokens),
        (Meter.CreateGauge<double>("deepresearcher_train_kl", description: "k3 KL to the reference policy."), m => m.Kl),
        (Meter.CreateGauge<double>("deepresearcher_train_entropy", description: "Mean token entropy of the policy."), m => m.Entropy),
        (Meter.CreateGauge<double>("deepresearcher_train_clip_fraction", description: "Share of tokens whose ratio was clipped."), m => m.ClipFraction),
        (Meter.CreateGauge<double>("deepresearcher_train_grad_norm", description: "Gradient norm before clipping."), m => m.GradNorm),
        (Meter.CreateGauge<double>("deepresearcher_train_loss", description: "The step's GRPO loss."), m => m.Loss),
        (Meter.CreateGauge<double>("deepresearcher_train_learning_rate", description: "The step's learning rate."), m => m.Lr),
        (Meter.CreateGauge<double>("deepresearcher_train_search_cache_hit_rate", description: "Share of the step's searches answered by the cache."), m => m.SearchCacheHitRate),
    ];

    public static void Record(string run, GrpoStepMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var tag = new KeyValuePair<string, object?>("run", run);
        foreach ((Gauge<double> gauge, Func<GrpoStepMetrics, double> value) in Figures)
        {
            gauge.Record(value(metrics), tag);
        }

        Steps.Add(1, tag);
        StepSeconds.Record(metrics.TimeRolloutSeconds, tag, new KeyValuePair<string, object?>("phase", "rollout"));
        StepSeconds.Record(metrics.TimeUpdateSeconds, tag, new KeyValuePair<string, object?>("phase", "update"));
    }
}
