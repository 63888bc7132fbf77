namespace DeepResearcher.Training.Rollouts;

/// <summary>Packs sequences into micro-batches under a token budget, for gradient accumulation.</summary>
public static class MicroBatches
{
    /// <summary>Greedy in order; a sequence longer than the budget gets a micro-batch of its own.</summary>
    public static List<List<PolicySequence>> Pack(IReadOnlyList<PolicySequence> sequences, int tokenBudget)
    {
        var batches = new List<List<PolicySequence>>();
        var current = new List<PolicySequence>();
        int tokens = 0;
        foreach (PolicySequence sequence in sequences)
        {
            if (current.Count > 0 && tokens + sequence.Length > tokenBudget)
            {
                batches.Add(current);
                current = [];
                tokens = 0;
            }

            current.Add(sequence);
            tokens += sequence.Length;
        }

        if (current.Count > 0)
        {
            batches.Add(current);
        }

        return batches;
    }
}
