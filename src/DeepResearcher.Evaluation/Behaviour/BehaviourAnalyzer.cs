using DeepResearcher.Core.Protocol;
using DeepResearcher.Core.Rewards;
using DeepResearcher.Core.Trajectories;

namespace DeepResearcher.Evaluation.Behaviour;

/// <summary>
/// Measures the behaviours the paper shows only as case studies (spec §10) from a trajectory's turns: planning aside,
/// cross-validation, reflection and honesty, plus the tool-call and length counts of its training curves.
/// </summary>
public static class BehaviourAnalyzer
{
    // Matched on the original normalisation (punctuation becomes spaces; Unicode punctuation too, since web pages are full
    // of curly quotes and dashes: these are not scores, so the published definitions do not bind them), padded with spaces at both ends. Phrases
    // count anywhere in the answer; single words only as the whole answer, so a title like "Unknown Pleasures" is an answer.
    private static readonly string[] AbstentionPhrases =
    [
        " cannot determine", " can not determine", " cannot be determined", " unable to determine", " i don t know", " do not know",
        " no information", " insufficient information", " not enough information", " cannot find", " could not find", " cannot be found",
        " unable to find", " cannot answer", " unable to answer", " is unknown ", " remains unknown ", " not publicly available", " not specified ",
    ];

    private static readonly HashSet<string> AbstentionAnswers = new(StringComparer.Ordinal)
    {
        " unknown ", " unclear ", " not known ", " no answer ", " none found ", " n a ", " not sure ", " undetermined ", " not available ", " unknowable ",
    };

    // Share of content words (Jaccard) two query sets must have in common to count as the same need reworded.
    private const double ReformulationOverlap = 0.2;

    public static TrajectoryBehaviour Analyze(Trajectory trajectory, string prediction, IReadOnlyList<string> golds)
    {
        string answer = Normalize(prediction);
        bool abstained = IsAbstention(prediction);
        string[] goldForms = [.. golds.Select(Normalize).Where(g => g.Length > 2)];
        int searches = 0, browses = 0, searchesAfter = 0, missedFollowedUp = 0, reformulations = 0, tokens = 0;
        int? answerSeen = null;
        bool goldObserved = false;
        IReadOnlyList<string>? missedQueries = null;
        foreach (TurnRecord turn in trajectory.Turns)
        {
            tokens += turn.CompletionTokens;
            if (turn.ToolCall is not { } call)
            {
                continue;
            }

            bool isSearch = call.Name == ResearchTools.WebSearchName;
            if (isSearch)
            {
                searches++;
                if (answerSeen is not null)
                {
                    searchesAfter++;
                }

                if (missedQueries is not null)
                {
                    missedFollowedUp++;
                    if (IsReformulation(missedQueries, call.Queries))
                    {
                        reformulations++;
                    }
                }
            }
            else if (call.Name == ResearchTools.BrowseWebpageName)
            {
                browses++;
            }

            string observation = Normalize(call.Observation);
            bool containsGold = goldForms.Any(g => observation.Contains(g, StringComparison.Ordinal));
            goldObserved |= containsGold;
            if (answerSeen is null && answer.Length > 2 && !abstained && observation.Contains(answer, StringComparison.Ordinal))
            {
                answerSeen = turn.Index;
            }

            if (isSearch)
            {
                missedQueries = containsGold ? null : call.Queries;
            }
        }

        return new TrajectoryBehaviour
        {
            Searches = searches,
            Browses = browses,
            Turns = trajectory.Turns.Count,
            ResponseTokens = tokens,
            AnswerSeenTurn = answerSeen,
            SearchesAfterAnswerSeen = searchesAfter,
            GoldObserved = goldObserved,
            YesNoQuestion = golds.Count > 0 && golds.All(g => Normalize(g) is " yes " or " no "),
            MissedSearchesFollowedUp = missedFollowedUp,
            Reformulations = reformulations,
            Abstained = abstained,
            AnswerWords = AnswerNormalizer.Words(AnswerNormalizer.Original(prediction, MetricRules.UnicodePunctuation)).Length,
        };
    }

    public static bool IsAbstention(string prediction)
    {
        string text = Normalize(prediction);
        return AbstentionAnswers.Contains(text) || AbstentionPhrases.Any(p => text.Contains(p, StringComparison.Ordinal));
    }

    /// <summary>A different query set that shares content words with the missed one: the same need, reworded.</summary>
    internal static bool IsReformulation(IReadOnlyList<string> previous, IReadOnlyList<string> next)
    {
        var before = ContentWords(previous);
        var after = ContentWords(next);
        if (before.SetEquals(after) || before.Count == 0 || after.Count == 0)
        {
            return false;
        }

        int shared = before.Count(after.Contains);
        return (double)shared / before.Union(after).Count() >= ReformulationOverlap;
    }

    private static HashSet<string> ContentWords(IReadOnlyList<string> queries)
        => new(queries.SelectMany(q => AnswerNormalizer.Words(AnswerNormalizer.Original(q, MetricRules.UnicodePunctuation))).Where(w => w.Length > 2), StringComparer.Ordinal);

    private static string Normalize(string text) => " " + AnswerNormalizer.Original(text, MetricRules.UnicodePunctuation) + " ";
}
