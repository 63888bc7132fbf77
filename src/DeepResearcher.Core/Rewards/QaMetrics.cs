namespace DeepResearcher.Core.Rewards;

/// <summary>
/// Question-answering metrics, each the best score over the gold aliases. With <see cref="MetricRules.None"/> (the
/// default) EM and F1 are SQuAD v1.1's <c>evaluate-v1.1.py</c> and set-F1 is the original reward's
/// (<c>format_and_f1.py</c>), operation for operation; <see cref="MetricRules"/> names the departures.
/// </summary>
public static class QaMetrics
{
    private static readonly HashSet<string> SpecialAnswers = new(StringComparer.Ordinal) { "yes", "no", "noanswer" };

    /// <summary>
    /// SQuAD exact match after <see cref="AnswerNormalizer.Squad"/>. As in SQuAD, an alias that normalises to nothing
    /// ("The", "?") matches an empty prediction.
    /// </summary>
    public static double ExactMatch(string prediction, IReadOnlyList<string> golds, MetricRules rules = MetricRules.None)
    {
        string p = AnswerNormalizer.Squad(prediction, rules);
        foreach (string gold in golds)
        {
            if (p == AnswerNormalizer.Squad(gold, rules))
            {
                return 1.0;
            }
        }

        return 0.0;
    }

    /// <summary>
    /// SQuAD bag-of-words F1 (word multiset overlap). With <see cref="MetricRules.HotpotQaYesNo"/>, a yes/no/noanswer
    /// prediction or gold gets 0 unless both are the same word, as HotpotQA's script scores it.
    /// </summary>
    public static double F1(string prediction, IReadOnlyList<string> golds, MetricRules rules = MetricRules.None)
    {
        string p = AnswerNormalizer.Squad(prediction, rules);
        double best = 0;
        foreach (string gold in golds)
        {
            best = Math.Max(best, BagF1(p, AnswerNormalizer.Squad(gold, rules), rules));
        }

        return best;
    }

    /// <summary>
    /// The original DeepResearcher F1 (spec §5): over word <em>sets</em> after its punctuation-to-space normalisation;
    /// an empty prediction or alias scores 0.
    /// </summary>
    public static double SetF1(string prediction, IReadOnlyList<string> golds, MetricRules rules = MetricRules.None)
    {
        var p = new HashSet<string>(AnswerNormalizer.Words(AnswerNormalizer.Original(prediction, rules)), StringComparer.Ordinal);
        double best = 0;
        foreach (string gold in golds)
        {
            var g = new HashSet<string>(AnswerNormalizer.Words(AnswerNormalizer.Original(gold, rules)), StringComparer.Ordinal);
            if (p.Count == 0 || g.Count == 0)
            {
                continue;
            }

            int common = 0;
            foreach (string word in p)
            {
                if (g.Contains(word))
                {
                    common++;
                }
            }

            double precision = (double)common / p.Count;
            double recall = (double)common / g.Count;
            if (precision + recall > 0)
            {
                // The script's order of operations, so the double is the same bit for bit.
                best = Math.Max(best, 2 * (precision * recall) / (precision + recall));
            }
        }

        return best;
    }

    /// <summary>
    /// Cover-EM: the normalised gold appears in the normalised prediction as a whole-word sequence. Whole words, not
    /// substrings, so that "no" is not found inside "not known"; an alias that normalises to nothing never matches.
    /// </summary>
    public static double CoverExactMatch(string prediction, IReadOnlyList<string> golds, MetricRules rules = MetricRules.None)
    {
        string[] p = AnswerNormalizer.Words(AnswerNormalizer.Squad(prediction, rules));
        foreach (string gold in golds)
        {
            string[] g = AnswerNormalizer.Words(AnswerNormalizer.Squad(gold, rules));
            if (g.Length > 0 && ContainsSequence(p, g))
            {
                return 1.0;
            }
        }

        return 0.0;
    }

    /// <summary>All four metrics at once.</summary>
    public static MetricScores Score(string prediction, IReadOnlyList<string> golds, MetricRules rules = MetricRules.None)
        => new(ExactMatch(prediction, golds, rules), F1(prediction, golds, rules), SetF1(prediction, golds, rules), CoverExactMatch(prediction, golds, rules));

    // evaluate-v1.1.py's f1_score on two normalised strings.
    private static double BagF1(string prediction, string gold, MetricRules rules)
    {
        if ((rules & MetricRules.HotpotQaYesNo) != 0 && (SpecialAnswers.Contains(prediction) || SpecialAnswers.Contains(gold)) && prediction != gold)
        {
            return 0.0;
        }

        string[] p = AnswerNormalizer.Words(prediction);
        string[] g = AnswerNormalizer.Words(gold);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (string word in g)
        {
            counts[word] = counts.GetValueOrDefault(word) + 1;
        }

        int common = 0;
        foreach (string word in p)
        {
            if (counts.TryGetValue(word, out int left) && left > 0)
            {
                counts[word] = left - 1;
                common++;
            }
        }

        if (common == 0)
        {
            return 0.0;
        }

        double precision = 1.0 * common / p.Length;
        double recall = 1.0 * common / g.Length;
        return 2 * precision * recall / (precision + recall);
    }

    private static bool ContainsSequence(string[] haystack, string[] needle)
    {
        for (int i = 0; i + needle.Length <= haystack.Length; i++)
        {
            int j = 0;
            while (j < needle.Length && haystack[i + j] == needle[j])
            {
                j++;
            }

            if (j == needle.Length)
            {
                return true;
            }
        }

        return false;
    }
}
