namespace DeepResearcher.Evaluation.Reporting;

/// <summary>
/// Scores of a group of questions (a source, a hop count, or all). With n samples per question, the plain fields are
/// avg@n (the mean over every sample) and the Pass fields pass@n (a question counts its best sample).
/// </summary>
public sealed record ScoreRow
{
    public required string Group { get; init; }

    public int Questions { get; init; }

    public int Samples { get; init; }

    public double Em { get; init; }

    public double F1 { get; init; }

    public double SetF1 { get; init; }

    public double CoverEm { get; init; }

    /// <summary>Mean verdict over the judged samples; null when none was judged.</summary>
    public double? Mbe { get; init; }

    public int Judged { get; init; }

    public int JudgeFailures { get; init; }

    /// <summary>Share of samples that ended with an answer (<see cref="Core.Trajectories.OutcomeRates"/>).</summary>
    public double AnswerRate { get; init; }

    /// <summary>Share of samples that ended on a protocol error (a malformed turn).</summary>
    public double ProtocolErrorRate { get; init; }

    /// <summary>Share of samples that ended without an answer for another reason: max turns, context, a tool or the model.</summary>
    public double NoAnswerRate { get; init; }

    public double PassEm { get; init; }

    public double PassF1 { get; init; }

    public double? PassMbe { get; init; }
}
