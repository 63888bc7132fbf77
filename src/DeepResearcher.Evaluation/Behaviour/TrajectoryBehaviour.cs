namespace DeepResearcher.Evaluation.Behaviour;

/// <summary>What one trajectory did, measured (docs/evaluation.md defines each field).</summary>
public sealed record TrajectoryBehaviour
{
    public int Searches { get; init; }

    public int Browses { get; init; }

    public int Turns { get; init; }

    public int ResponseTokens { get; init; }

    /// <summary>The turn whose tool observation first contained the final answer; null if it never did.</summary>
    public int? AnswerSeenTurn { get; init; }

    /// <summary>Searches made after <see cref="AnswerSeenTurn"/>: checking an answer the agent already had.</summary>
    public int SearchesAfterAnswerSeen { get; init; }

    /// <summary>Whether any gold alias ever appeared in an observation.</summary>
    public bool GoldObserved { get; init; }

    /// <summary>
    /// Every gold alias is "yes" or "no": a word no evidence needs to contain, so whether it appeared says nothing about
    /// whether the agent found the facts, and honesty leaves the question out.
    /// </summary>
    public bool YesNoQuestion { get; init; }

    /// <summary>Searches whose results contained no gold alias and that were followed by another search.</summary>
    public int MissedSearchesFollowedUp { get; init; }

    /// <summary>Of those, the ones whose next search reworded the same need (overlapping, different queries).</summary>
    public int Reformulations { get; init; }

    /// <summary>The answer says it cannot be determined ("unknown", "cannot determine"…).</summary>
    public bool Abstained { get; init; }

    public int AnswerWords { get; init; }
}
