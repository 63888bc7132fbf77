namespace DeepResearcher.Core.Trajectories;

/// <summary>
/// The published outcome rates over a set of trajectories (0–1, each a count over <see cref="Count"/>), with names that
/// say what they count: <c>answer_rate</c>, <c>protocol_error_rate</c> and <c>no_answer_rate</c> partition the
/// finished trajectories (docs/evaluation.md). Every report, log and evaluation takes them from here.
/// </summary>
public sealed record OutcomeRates(int Count, double AnswerRate, double ProtocolErrorRate, double NoAnswerRate)
{
    /// <summary>
    /// Protocol errors plus max-turns endings: what GRPO's step log called <c>format_error_rate</c> before the rates
    /// were named, kept under that key so old curves and readers still compare. Not a published figure.
    /// </summary>
    public double ProtocolErrorOrMaxTurnsRate { get; init; }

    /// <summary>The rates of these endings; all 0 for none.</summary>
    public static OutcomeRates Of(IEnumerable<TerminationReason> endings)
    {
        int count = 0, answered = 0, protocolErrors = 0, noAnswer = 0, maxTurns = 0;
        foreach (TerminationReason ending in endings)
        {
            count++;
            answered += ending == TerminationReason.Answered ? 1 : 0;
            protocolErrors += TrajectoryOutcome.IsProtocolError(ending) ? 1 : 0;
            noAnswer += TrajectoryOutcome.IsNoAnswer(ending) ? 1 : 0;
            maxTurns += ending == TerminationReason.MaxTurns ? 1 : 0;
        }

        // A count over the total, in one division: the means of 0/1 values the logs computed before agree to the bit.
        double Rate(int hits) => count == 0 ? 0 : (double)hits / count;
        return new OutcomeRates(count, Rate(answered), Rate(protocolErrors), Rate(noAnswer))
        {
            ProtocolErrorOrMaxTurnsRate = Rate(protocolErrors + maxTurns),
        };
    }

    public static OutcomeRates Of(IEnumerable<TrajectoryOutcome> outcomes) => Of(outcomes.Select(o => o.Termination));
}
