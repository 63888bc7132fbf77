using System.Text.Json.Nodes;
using DeepResearcher.Core.Trajectories;
using DeepResearcher.Training.Grpo;
using DeepResearcher.Training.Rollouts;

namespace DeepResearcher.Training.Tests.Grpo;

public class GrpoStepMetricsTests
{
    // metrics.jsonl's keys before the line was typed, in their order: reports, tests and older runs read them.
    private static readonly string[] Keys =
    [
        "step", "reward_mean", "reward_std", "f1", "format_error_rate", "answer_rate", "searches", "browses", "turns", "response_tokens",
        "kl", "entropy", "clip_fraction", "grad_norm", "lr", "loss", "dropped_groups", "time_rollout_s", "time_tools_s", "time_update_s",
        "search_cache_hit_rate",
    ];

    [Fact]
    public void The_line_keeps_the_old_keys_in_order_and_appends_the_named_rates()
    {
        GrpoStepMetrics metrics = GrpoStepMetrics.Of(3, [Group()], new GrpoStepStats(4, 100, 0, 0.5, 0.4, 0.01, 0.1, 0.9, 1, 0.7), 2e-4f, 1.5, 0.5, 0.25);

        JsonObject line = JsonNode.Parse(metrics.ToJsonLine())!.AsObject();

        Assert.Equal([.. Keys, "protocol_error_rate", "no_answer_rate", "format_penalty_rate"], line.Select(p => p.Key));
        Assert.Equal(0.0002f, line["lr"]!.GetValue<float>());
        Assert.Equal(metrics, GrpoStepMetrics.FromJsonLine(metrics.ToJsonLine()));
    }

    [Fact]
    public void Rates_come_from_the_outcomes_and_the_old_format_error_rate_keeps_its_definition()
    {
        GrpoStepMetrics metrics = GrpoStepMetrics.Of(1, [Group()], new GrpoStepStats(4, 100, 0, 0, 0, 0, 0, 0, 1), 1e-3f, 1, 1, 0);

        // One answer (balanced), one answer with unbalanced tags, one protocol error, one max turns.
        Assert.Equal(0.5, metrics.AnswerRate);
        Assert.Equal(0.25, metrics.ProtocolErrorRate);
        Assert.Equal(0.25, metrics.NoAnswerRate);
        Assert.Equal(0.5, metrics.ProtocolErrorOrMaxTurnsRate);
        Assert.Equal(0.75, metrics.FormatPenaltyRate);
        Assert.Equal((1.0 - 1 - 1 - 1) / 4, metrics.RewardMean);
        Assert.Equal(0.5, metrics.F1); // both answers are "Paris": set-F1 1 each, 0 for the two without one
    }

    [Fact]
    public void Each_rollout_carries_its_reward_and_advantage_typed()
    {
        RolloutGroup group = Group();

        Assert.Equal(group.Rollouts.Select(r => r.Reward), group.Rewards);
        Assert.Equal(group.Rollouts.Select(r => r.Advantage), group.Advantages);
        Assert.Equal(group.Rollouts.Select(r => r.Trajectory), group.Trajectories);
        Assert.DoesNotContain("reward", group.Trajectories[0].Tags.Keys);
    }

    private static RolloutGroup Group()
    {
        Trajectory Ended(string id, TerminationReason ending, string text, string? answer) => new()
        {
            Id = id,
            Question = "q",
            Termination = ending,
            FinalAnswer = answer,
            Turns = [new TurnRecord { Index = 1, Generated = text, Action = answer is null ? TurnAction.Error : TurnAction.Answer, Answer = answer }],
        };

        Trajectory[] trajectories =
        [
            Ended("a", TerminationReason.Answered, "<think>x</think><answer>Paris</answer>", "Paris"),
            Ended("b", TerminationReason.Answered, "<think>x<think></think><answer>Paris</answer>", "Paris"),
            Ended("c", TerminationReason.ProtocolError, "<think>x</think>", null),
            Ended("d", TerminationReason.MaxTurns, "<think>x</think><tool_call>{}</tool_call>", null),
        ];
        double[] rewards = [1, -1, -1, -1];
        double[] advantages = GroupAdvantages.Compute(rewards);
        return new RolloutGroup(new RolloutQuestion("q1", "q", ["Paris"]), [.. trajectories.Select((t, i) => new Rollout(t, rewards[i], advantages[i]))]);
    }
}
