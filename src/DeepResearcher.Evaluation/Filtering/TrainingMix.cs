using DeepResearcher.Evaluation.Datasets;

namespace DeepResearcher.Evaluation.Filtering;

/// <summary>
/// Builds a training mix from several sources at given ratios (the original: NQ:TQ:HotpotQA:2Wiki = 1:1:3:3),
/// drawing each source's share deterministically with a seed. A source short of its share is reported.
/// </summary>
public static class TrainingMix
{
    /// <summary>Parses <c>nq=1,tq=1,hotpotqa=3,2wiki=3</c>.</summary>
    public static IReadOnlyDictionary<string, double> ParseRatios(string text)
    {
        var ratios = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (string part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] kv = part.Split('=', 2, StringSplitOptions.TrimEntries);
            if (kv.Length != 2 || !double.TryParse(kv[1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double ratio) || ratio <= 0)
            {
                throw new ArgumentException($"mix '{part}' is not SOURCE=RATIO with a positive ratio (e.g. nq=1,tq=1,hotpotqa=3,2wiki=3)");
            }

            ratios[kv[0]] = ratio;
        }

        return ratios.Count > 0 ? ratios : throw new ArgumentException("the mix names no source");
    }

    /// <summary>
    /// Fails when the mix names a source the data does not have (a misspelling would otherwise only shrink the mix),
    /// listing the sources it has.
    /// </summary>
    public static void CheckSources(IReadOnlyDictionary<string, double> ratios, IReadOnlyList<QaExample> examples)
    {
        var known = new SortedSet<string>(examples.Select(e => e.Source), StringComparer.Ordinal);
        string[] unknown = [.. ratios.Keys.Where(source => !known.Contains(source)).Order(StringComparer.Ordinal)];
        if (unknown.Length > 0)
        {
            throw new ArgumentException(
                $"--mix names {(unknown.Length == 1 ? "a source" : "sources")} the data does not have: {string.Join(", ", unknown)}; its sources are {(known.Count == 0 ? "none" : string.Join(", ", known))}");
        }
    }

    public static (IReadOnlyList<QaExample> Mix, IReadOnlyList<string> Shortfalls) Build(
        IReadOnlyList<QaExample> examples, IReadOnlyDictionary<string, double> ratios, int total, int seed)
    {
        double sum = ratios.Values.Sum();
        var mix = new List<QaExample>();
        var shortfalls = new List<string>();
        foreach ((string source, double ratio) in ratios.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            int wanted = (int)Math.Round(total * ratio / sum);
            List<QaExample> pool = [.. examples.Where(e => e.Source == source)];
            var random = new Random(unchecked((seed * 486187739) ^ StableHash(source)));
            for (int i = pool.Count - 1; i > 0; i--)
            {
                int j = random.Next(i + 1);
                (pool[i], pool[j]) = (pool[j], pool[i]);
            }

            if (pool.Count < wanted)
            {
                shortfalls.Add($"{source}: {pool.Count} of the {wanted} wanted questions are available");
            }

            mix.AddRange(pool.Take(wanted));
        }

        return (mix, shortfalls);
    }

    private static int StableHash(string text)
    {
        // String.GetHashCode is randomised per process; the draw must not be.
        int hash = 17;
        foreach (char c in text)
        {
            hash = unchecked((hash * 31) + c);
        }

        return hash;
    }
}
