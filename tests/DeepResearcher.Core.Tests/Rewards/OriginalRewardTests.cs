using DeepResearcher.Core.Rewards;
using DeepResearcher.Core.Trajectories;

namespace DeepResearcher.Core.Tests.Rewards;

public class OriginalRewardTests
{
    [Theory]
    [InlineData("<think>a</think><answer>b</answer>", null)]
    [InlineData("<think>a</think><tool_call>{}</tool_call><think>c</think><answer>d</answer>", null)]
    [InlineData("no tags at all", null)]
    [InlineData("<think>a<think>b</think>", "<think> opened twice without </think>")]
    [InlineData("</think><think>", "</think> without a matching <think>")]
    [InlineData("<think>a</think><answer>x", "<answer> is never closed")]
    [InlineData("<think>a</think><tool_call>x</tool_call></tool_call>", "</tool_call> without a matching <tool_call>")]
    public void Tag_balance_follows_the_originals_sequential_scan(string text, string? problem)
        => Assert.Equal(problem, TagBalance.FindProblem(text));

    [Fact]
    public void An_answered_trajectory_earns_the_set_f1_of_its_answer()
    {
        Trajectory trajectory = Answered("<think>x</think>\n<answer>Paris France</answer>", "Paris France");

        RewardResult reward = OriginalReward.Compute(trajectory, ["Paris"]);

        Assert.Equal(2.0 / 3, reward.Value, 1e-9);
        Assert.Null(reward.Penalty);
    }

    [Fact]
    public void Tags_inside_tool_output_do_not_cost_a_correct_rollout()
    {
        Trajectory trajectory = Answered("<think>x</think>\n<answer>Paris</answer>", "Paris");
        // A fetched page that contains a stray tag sits in an environment segment, not in the policy's turns.
        trajectory.Segments.Add(new TrajectorySegment { Kind = SegmentKind.Environment, Text = "<tool_response>page with <think> in it</tool_response>", Turn = 1 });

        Assert.Equal(1.0, OriginalReward.Compute(trajectory, ["paris"]).Value);
        Assert.NotNull(TagBalance.FindProblem(trajectory.Text()));
    }

    [Fact]
    public void Unbalanced_policy_tags_cost_minus_one()
    {
        Trajectory trajectory = Answered("<think>x<think></think>\n<answer>Paris</answer>", "Paris");

        RewardResult reward = OriginalReward.Compute(trajectory, ["Paris"]);

        Assert.Equal(-1.0, reward.Value);
        Assert.Contains("think", reward.Penalty, StringComparison.Ordinal);
    }

    [Fact]
    public void No_answer_costs_minus_one()
    {
        var trajectory = new Trajectory { Id = "t", Question = "q", Termination = TerminationReason.MaxTurns };
        trajectory.Turns.Add(new TurnRecord { Index = 1, Prefill = "<think>", Generated = "s</think><tool_call>{}</tool_call>", Action = TurnAction.ToolCall });

        RewardResult reward = OriginalReward.Compute(trajectory, ["Paris"]);

        Assert.Equal(-1.0, reward.Value);
        Assert.Contains("max_turns", reward.Penalty!.ToLowerInvariant().Replace("maxturns", "max_turns", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void A_wrong_but_well_formed_answer_earns_zero_not_minus_one()
    {
        Assert.Equal(0.0, OriginalReward.Compute(Answered("<think>x</think><answer>Lyon</answer>", "Lyon"), ["Paris"]).Value);
    }

    [Fact]
    public void The_reward_is_the_originals_set_f1_unless_a_rule_is_named()
    {
        // format_and_f1.py strips only ASCII punctuation: “Paris” is one word that is not "paris".
        Trajectory trajectory = Answered("<think>x</think><answer>“Paris”</answer>", "“Paris”");

        Assert.Equal(0.0, OriginalReward.Compute(trajectory, ["Paris"]).Value);
        Assert.Equal(1.0, OriginalReward.Compute(trajectory, ["Paris"], MetricRules.UnicodePunctuation).Value);
    }

    private static Trajectory Answered(string turnText, string answer)
    {
        var trajectory = new Trajectory { Id = "t", Question = "q", Termination = TerminationReason.Answered, FinalAnswer = answer };
        trajectory.Turns.Add(new TurnRecord { Index = 1, Prefill = string.Empty, Generated = turnText, Action = TurnAction.Answer, Answer = answer });
        return trajectory;
    }
}
