namespace DeepResearcher.Evaluation.Behaviour;

/// <summary>Behaviour means and rates over a group of trajectories; a rate is null when no trajectory qualified for it.</summary>
public sealed record BehaviourSummary(
    string Group,
    int Count,
    double Searches,
    double Browses,
    double Turns,
    double ResponseTokens,
    double? CrossValidationRate,
    int CrossValidationEligible,
    double? ReflectionRate,
    int ReflectionEligible,
    double? HonestyRate,
    int HonestyEligible,
    double AbstentionRate,
    double AnswerWords)
{
    /// <summary>
    /// Yes/no questions whose gold never appeared in an observation, left out of <see cref="HonestyEligible"/>: "yes" is
    /// not a word the evidence contains, so the rule would count a correct, well-researched "yes" as a guess.
    /// </summary>
    public int HonestyExcludedYesNo { get; init; }

    public static BehaviourSummary Of(string group, IReadOnlyList<TrajectoryBehaviour> items)
    {
        double Mean(Func<TrajectoryBehaviour, double> f) => items.Count == 0 ? 0 : items.Average(f);
        static double? Rate(int hits, int eligible) => eligible == 0 ? null : (double)hits / eligible;

        // Cross-validation: of the answers found in an observation, the share that were searched on afterwards.
        List<TrajectoryBehaviour> seen = [.. items.Where(b => b.AnswerSeenTurn is not null)];
        // Reflection: of the trajectories that searched again after a miss, the share that reworded the query.
        List<TrajectoryBehaviour> missed = [.. items.Where(b => b.MissedSearchesFollowedUp > 0)];
        // Honesty: of the questions whose answer never appeared anywhere, the share answered "cannot determine". Yes/no
        // questions are left out (see HonestyExcludedYesNo). Comparison questions keep the rule: their gold is one of two
        // names, so seeing it is necessary (not sufficient) for having the evidence, and one never seen was a guess.
        List<TrajectoryBehaviour> unseen = [.. items.Where(b => !b.GoldObserved && !b.YesNoQuestion)];
        return new BehaviourSummary(
            group,
            items.Count,
            Mean(b => b.Searches),
            Mean(b => b.Browses),
            Mean(b => b.Turns),
            Mean(b => b.ResponseTokens),
            Rate(seen.Count(b => b.SearchesAfterAnswerSeen > 0), seen.Count),
            seen.Count,
            Rate(missed.Count(b => b.Reformulations > 0), missed.Count),
            missed.Count,
            Rate(unseen.Count(b => b.Abstained), unseen.Count),
            unseen.Count,
            Mean(b => b.Abstained ? 1 : 0),
            Mean(b => b.AnswerWords))
        {
            HonestyExcludedYesNo = items.Count(b => !b.GoldObserved && b.YesNoQuestion),
        };
    }
}
