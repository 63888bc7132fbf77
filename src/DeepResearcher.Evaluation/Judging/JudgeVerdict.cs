namespace DeepResearcher.Evaluation.Judging;

/// <summary>How a prediction was judged.</summary>
public enum JudgeSource
{
    /// <summary>An exact match after normalisation: correct, no call made.</summary>
    ExactMatch,

    /// <summary>No answer (a format failure or an empty prediction): incorrect, no call made, as the original.</summary>
    NoAnswer,

    Cache,
    Judge,

    /// <summary>The judge gave no valid verdict after every attempt: no verdict, counted as a failure.</summary>
    Failed,
}

/// <summary>The verdict on one prediction; <see cref="Correct"/> is null when the judge failed.</summary>
public sealed record JudgeVerdict(bool? Correct, JudgeSource Source, string? Rationale = null, int Attempts = 0);
