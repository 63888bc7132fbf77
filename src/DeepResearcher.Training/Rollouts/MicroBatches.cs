namespace DeepResearcher.Training.Rollouts;

/// <summary>Packs sequences into micro-batches under a token budget, for gradient accumulation.</summary>
public static class MicroBatches
{
    /// <summary>Greedy in order; a sequence longer than the budget gets a micro-batch of its own.</summary>
    public static List<List<PolicySequence>> Pack(IReadOnlyList<PolicySequence> sequences, int tokenBudget)
        => Pack(sequences, s => s.Length, tokenBudget);

    /// <summary>Greedy in order by <paramref name="length"/>; an item longer than the budget gets a micro-batch of its own.</summary>
    public static List<List<T>> Pack<T>(IReadOnlyList<T> items, Func<T, int> length, int tokenBudget)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(length);
        var batches = new List<List<T>>();
        var current = new List<T>();
        int tokens = 0;
        foreach (T item in items)
        {
            int n = length(item);
            if (current.Count > 0 && tokens + n > tokenBudget)
            {
                batches.Add(current);
                current = [];
                tokens = 0;
            }

            current.Add(item);
            tokens += n;
        }

        if (current.Count > 0)
        {
            batches.Add(current);
        }

        return batches;
    }
}
