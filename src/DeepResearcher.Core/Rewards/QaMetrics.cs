namespace DeepResearcher.Core.Rewards;

/// <summary>
/// Question-answering metrics, each taking the best score over the gold aliases. Aliases that normalise to nothing
/// (punctuation only, blank) are ignored, so a question with no usable alias scores 0 on every metric.
/// </summary>
public static class QaMetrics
{
    private static readonly HashSet<string> SpecialAnswers = new(StringComparer.Ordinal) { "yes", "no", "noanswer" };

    /// <summary>SQuAD exact match after <see cref="AnswerNormalizer.Squad"/>.</summary>
    public static double ExactMatch(string prediction, IReadOnlyList<string> golds)
    {
        string p = AnswerNormalizer.Squad(prediction);
        foreach (string gold in golds)
        {
            string g = AnswerNormalizer.Squad(gold);
            if (g.Length > 0 && p == g)
            {
                return 1.0;
            }
        }

        return 0.0;
    }

    /// <summary>
    /// SQuAD bag-of-words F1 (word multiset overlap). Like the HotpotQA and FlashRAG scripts, a yes/no/noanswer
    /// prediction or gold gets 0 unless both are the same word, so "no" never earns credit against "yes, it is not".
    /// </summary>
    public static double F1(string prediction, IReadOnlyList<string> golds)
    {
        string p = AnswerNormalizer.Squad(prediction);
        double best = 0;
        foreach (string gold in golds)
        {
            string g = AnswerNormalizer.Squad(gold);
            if (g.Length > 0)
            {
                best = Math.Max(best, BagF1(p, g));
            }
        }

        return best;
    }

    /// <summary>The original DeepResearcher F1 (spec §5): over word <em>sets</em>, with its punctuation-to-space normalisation.</summary>
    public static double SetF1(string prediction, IReadOnlyList<string> golds)
    {
        var p = new HashSet<string>(AnswerNormalizer.Words(AnswerNormalizer.Original(prediction)), StringComparer.Ordinal);
        double best = 0;
        foreach (string gold in golds)
        {
            var g = new HashSet<string>(AnswerNormalizer.Words(AnswerNormalizer.Original(gold)), StringComparer.Ordinal);
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

            if (common == 0)
            {
                continue;
            }

            double precision = (double)common / p.Count;
            double recall = (double)common / g.Count;
            best = Math.Max(best, 2 * precision * recall / (precision + recall));
        }

        return best;
    }

    /// <summary>
    /// Cover-EM: the normalised gold appears in the normalised prediction as a whole-word sequence. Whole words, not
    /// substrings, so that "no" is not found inside "not known".
    /// </summary>
    public static double CoverExactMatch(string prediction, IReadOnlyList<string> golds)
    {
        string[] p = AnswerNormalizer.Words(AnswerNormalizer.Squad(prediction));
        foreach (string gold in golds)
        {
            string[] g = AnswerNormalizer.Words(AnswerNormalizer.Squad(gold));
            if (g.Length > 0 && ContainsSequence(p, g))
            {
                return 1.0;
            }
        }

        return 0.0;
    }

    /// <summary>All four metrics at once.</summary>
    public static MetricScores Score(string prediction, IReadOnlyList<string> golds)
        => new(ExactMatch(prediction, golds), F1(prediction, golds), SetF1(prediction, golds), CoverExactMatch(prediction, golds));

    private static double BagF1(string prediction, string gold)
    {
        string[] p = AnswerNormalizer.Words(prediction);
        string[] g = AnswerNormalizer.Words(gold);
        if (p.Length == 0)
        {
            return 0.0;
        }

        if ((SpecialAnswers.Contains(prediction) || SpecialAnswers.Contains(gold)) && prediction != gold)
        {
            return 0.0;
        }

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

        double precision = (double)common / p.Length;
        double recall = (double)common / g.Length;
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
