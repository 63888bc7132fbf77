using DeepResearcher.Core.Protocol.Parsing;
using DeepResearcher.Core.Rewards;

namespace DeepResearcher.Core.Trajectories;

/// <summary>
/// How a trajectory came out, read once from it: how it ended, the protocol error that ended it, whether the policy's
/// own text balances its tags, and the answer it is scored on. The reward's −1 rule, the GRPO step log, training's
/// evaluations, Evaluation's scoring and the reports all read outcomes from here (and rates from
/// <see cref="OutcomeRates"/>), so "format error" cannot again mean three things.
/// </summary>
public sealed record TrajectoryOutcome
{
    public required TerminationReason Termination { get; init; }

    /// <summary>The kind of the protocol error that ended the trajectory; null unless it ended on one (or the error was not recorded, as a baseline's).</summary>
    public ProtocolErrorKind? ProtocolError { get; init; }

    /// <summary>
    /// Which tag is unbalanced in the policy's own text (<see cref="Trajectory.PolicyText"/>, <see cref="TagBalance"/>),
    /// whatever the ending; null when every tag balances.
    /// </summary>
    public string? UnbalancedTags { get; init; }

    /// <summary>The final answer when the trajectory ended with one; null otherwise.</summary>
    public string? Answer { get; init; }

    /// <summary>Ended with an answer: what <c>answer_rate</c> counts.</summary>
    public bool Answered => Termination == TerminationReason.Answered && Answer is not null;

    /// <summary>Ended on a malformed turn: what <c>protocol_error_rate</c> counts.</summary>
    public bool EndedOnProtocolError => IsProtocolError(Termination);

    /// <summary>
    /// Ended without an answer for another reason than a protocol error (turns, context, a tool or the model ran out):
    /// what <c>no_answer_rate</c> counts.
    /// </summary>
    public bool EndedWithoutAnswer => IsNoAnswer(Termination);

    /// <summary>The reward's −1 (spec §5): unbalanced tags in the policy's text, or no answer.</summary>
    public bool EarnsFormatPenalty => UnbalancedTags is not null || !Answered;

    /// <summary>What the metrics score: the answer, or the empty string when there is none (which scores 0, as the original's metric script does).</summary>
    public string Prediction => Answered ? Answer! : string.Empty;

    public static TrajectoryOutcome Of(Trajectory trajectory) => new()
    {
        Termination = trajectory.Termination,
        ProtocolError = trajectory.Termination == TerminationReason.ProtocolError ? trajectory.Turns.LastOrDefault()?.Error?.Kind : null,
        UnbalancedTags = TagBalance.FindProblem(trajectory.PolicyText()),
        Answer = trajectory.Termination == TerminationReason.Answered ? trajectory.FinalAnswer : null,
    };

    /// <summary>Whether an ending counts as a protocol error (<c>protocol_error_rate</c>).</summary>
    public static bool IsProtocolError(TerminationReason termination) => termination == TerminationReason.ProtocolError;

    /// <summary>Whether an ending counts as "no answer" (<c>no_answer_rate</c>): max turns, context exhausted, a tool or model failure.</summary>
    public static bool IsNoAnswer(TerminationReason termination)
        => termination is TerminationReason.MaxTurns or TerminationReason.ContextOverflow or TerminationReason.ToolFailure or TerminationReason.ModelFailure;
}
