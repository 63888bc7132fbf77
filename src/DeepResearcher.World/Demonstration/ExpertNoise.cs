namespace DeepResearcher.World.Demonstration;

/// <summary>How imperfect the expert is. All zero: it solves every answerable question by the shortest path.</summary>
public sealed record ExpertNoise
{
    /// <summary>Chance that the first search of a step uses a vague query, so the expert must reformulate.</summary>
    public double WrongFirstQuery { get; init; }

    /// <summary>Chance of reading an extra, unneeded search result before the right one.</summary>
    public double UnneededBrowse { get; init; }

    /// <summary>Chance of giving up on a question with an honest "unknown".</summary>
    public double GiveUp { get; init; }

    /// <summary>
    /// Chance of answering a question's last step from the search results without opening the page: the answer is the
    /// first name or number the step's result snippet offers, so it is right only when the snippet happens to state the
    /// value. Chains and deep questions only (a yes/no or comparison answer is not a snippet's value).
    /// </summary>
    public double AnswerFromResults { get; init; }

    public static ExpertNoise None { get; } = new();

    /// <summary>A hasty researcher: exact protocol, but usually answers from the result snippets instead of reading.</summary>
    public static ExpertNoise Hasty(double answerFromResults) => new() { AnswerFromResults = answerFromResults };

    /// <summary>Noise that makes demonstrations varied, for supervised warm starts.</summary>
    public static ExpertNoise Varied { get; } = new() { WrongFirstQuery = 0.15, UnneededBrowse = 0.1, GiveUp = 0.02 };
}
