using DeepResearcher.Evaluation.Datasets;

namespace DeepResearcher.Evaluation.Running;

/// <summary>Which questions of a dataset a run covers: some sources, a seeded sample per source, a cap.</summary>
public sealed record QuestionSelection
{
    /// <summary>Sources to keep (case-insensitive); empty = all.</summary>
    public IReadOnlyList<string> Sources { get; init; } = [];

    /// <summary>At most this many questions per source, drawn with <see cref="Seed"/> (the paper drew 512 per dev set).</summary>
    public int? PerSource { get; init; }

    public int Seed { get; init; }

    /// <summary>At most this many questions in all, the first after the other filters.</summary>
    public int? Limit { get; init; }

    public IReadOnlyList<QaExample> Apply(IReadOnlyList<QaExample> examples)
    {
        IEnumerable<QaExample> kept = examples;
        if (Sources.Count > 0)
        {
            var wanted = new HashSet<string>(Sources, StringComparer.OrdinalIgnoreCase);
            var present = new HashSet<string>(examples.Select(e => e.Source), StringComparer.OrdinalIgnoreCase);
            string[] unknown = [.. wanted.Where(s => !present.Contains(s))];
            if (unknown.Length > 0)
            {
                throw new ArgumentException($"--sources: {string.Join(", ", unknown)} not in the data (it has {string.Join(", ", present.Order(StringComparer.Ordinal))})");
            }

            kept = kept.Where(e => wanted.Contains(e.Source));
        }

        List<QaExample> list = [.. kept];
        if (PerSource is int perSource)
        {
            var chosen = new HashSet<QaExample>(ReferenceEqualityComparer.Instance);
            foreach (IGrouping<string, QaExample> group in list.GroupBy(e => e.Source, StringComparer.Ordinal))
            {
                // Seeded per source so that adding a source does not change the draw of the others.
                var random = new Random(unchecked((Seed * 486187739) ^ StableHash(group.Key)));
                QaExample[] shuffled = [.. group];
                random.Shuffle(shuffled);
                chosen.UnionWith(shuffled.Take(Math.Max(0, perSource)));
            }

            list = [.. list.Where(chosen.Contains)];
        }

        if (Limit is int limit)
        {
            list = [.. list.Take(Math.Max(0, limit))];
        }

        return list;
    }

    private static int StableHash(string text)
    {
        unchecked
        {
            int hash = (int)2166136261;
            foreach (char c in text)
            {
                hash = (hash ^ c) * 16777619;
            }

            return hash;
        }
    }
}
