using DeepResearcher.Core.Protocol.Parsing;
using DeepResearcher.Core.Rewards;
using DeepResearcher.Core.Trajectories;

namespace DeepResearcher.Core.Tests.Trajectories;

public class TrajectoryOutcomeTests
{
    [Fact]
    public void An_answered_trajectory_is_scored_on_its_answer_and_earns_no_penalty()
    {
        TrajectoryOutcome outcome = TrajectoryOutcome.Of(Ended(TerminationReason.Answered, "<think>x</think><answer>Paris</answer>", answer: "Paris"));

        Assert.True(outcome.Answered);
        Assert.False(outcome.EndedOnProtocolError || outcome.EndedWithoutAnswer || outcome.EarnsFormatPenalty);
        Assert.Equal("Paris", outcome.Prediction);
        Assert.Null(outcome.ProtocolError);
    }

    [Fact]
    public void A_protocol_error_keeps_its_kind_and_is_not_a_no_answer()
    {
        Trajectory trajectory = Ended(TerminationReason.ProtocolError, "<think>x</think>", error: new ProtocolError(ProtocolErrorKind.NoAction, "no action"));

        TrajectoryOutcome outcome = TrajectoryOutcome.Of(trajectory);

        Assert.True(outcome.EndedOnProtocolError);
        Assert.False(outcome.EndedWithoutAnswer);
        Assert.Equal(ProtocolErrorKind.NoAction, outcome.ProtocolError);
        Assert.True(outcome.EarnsFormatPenalty);
        Assert.Equal(string.Empty, outcome.Prediction);
    }

    [Theory]
    [InlineData(TerminationReason.MaxTurns)]
    [InlineData(TerminationReason.ContextOverflow)]
    [InlineData(TerminationReason.ToolFailure)]
    [InlineData(TerminationReason.ModelFailure)]
    public void Running_out_of_turns_context_tools_or_model_is_a_no_answer(TerminationReason ending)
    {
        TrajectoryOutcome outcome = TrajectoryOutcome.Of(Ended(ending, "<think>x</think><tool_call>{}</tool_call>"));

        Assert.True(outcome.EndedWithoutAnswer);
        Assert.False(outcome.EndedOnProtocolError || outcome.Answered);
        Assert.True(outcome.EarnsFormatPenalty);
    }

    [Fact]
    public void Unbalanced_tags_earn_the_penalty_even_with_an_answer_and_the_reward_agrees()
    {
        Trajectory trajectory = Ended(TerminationReason.Answered, "<think>x<think></think><answer>Paris</answer>", answer: "Paris");

        TrajectoryOutcome outcome = TrajectoryOutcome.Of(trajectory);

        Assert.True(outcome.Answered);
        Assert.NotNull(outcome.UnbalancedTags);
        Assert.True(outcome.EarnsFormatPenalty);
        Assert.Equal(OriginalReward.FormatPenalty, OriginalReward.Compute(outcome, ["Paris"]).Value);
    }

    [Fact]
    public void The_rates_partition_the_endings_and_keep_the_old_step_log_definition_apart()
    {
        TerminationReason[] endings =
        [
            TerminationReason.Answered, TerminationReason.Answered, TerminationReason.ProtocolError, TerminationReason.MaxTurns,
            TerminationReason.ContextOverflow, TerminationReason.Answered, TerminationReason.ToolFailure,
        ];

        OutcomeRates rates = OutcomeRates.Of(endings);

        Assert.Equal(7, rates.Count);
        Assert.Equal(3.0 / 7, rates.AnswerRate);
        Assert.Equal(1.0 / 7, rates.ProtocolErrorRate);
        Assert.Equal(3.0 / 7, rates.NoAnswerRate);
        // format_error_rate of the old step log: protocol errors and max turns, not context or tool failures.
        Assert.Equal(2.0 / 7, rates.ProtocolErrorOrMaxTurnsRate);
        Assert.Equal(new OutcomeRates(0, 0, 0, 0), OutcomeRates.Of(Array.Empty<TerminationReason>()));
    }

    [Fact]
    public void A_rate_is_the_mean_of_its_zero_one_indicators_to_the_bit()
    {
        // The logs computed rates as means of 0/1 values; the published figures must not move by an ulp.
        TerminationReason[] endings = [.. Enumerable.Range(0, 200).Select(i => i % 7 == 0 ? TerminationReason.ProtocolError : i % 3 == 0 ? TerminationReason.MaxTurns : TerminationReason.Answered)];

        OutcomeRates rates = OutcomeRates.Of(endings);

        Assert.Equal(endings.Average(e => e == TerminationReason.ProtocolError ? 1.0 : 0.0), rates.ProtocolErrorRate);
        Assert.Equal(endings.Average(e => e == TerminationReason.Answered ? 1.0 : 0.0), rates.AnswerRate);
        Assert.Equal(endings.Average(e => e is TerminationReason.ProtocolError or TerminationReason.MaxTurns ? 1.0 : 0.0), rates.ProtocolErrorOrMaxTurnsRate);
    }

    private static Trajectory Ended(TerminationReason ending, string turnText, string? answer = null, ProtocolError? error = null)
    {
        var trajectory = new Trajectory { Id = "t", Question = "q", Termination = ending, FinalAnswer = answer };
        trajectory.Turns.Add(new TurnRecord
        {
            Index = 1,
            Generated = turnText,
            Action = answer is not null ? TurnAction.Answer : error is not null ? TurnAction.Error : TurnAction.ToolCall,
            Answer = answer,
            Error = error,
        });
        return trajectory;
    }
}
