namespace DeepResearcher.Engine.Tokenization;

/// <summary>
/// Applies BPE merges to one pre-tokenized piece: repeatedly merge the adjacent pair of lowest rank, the leftmost
/// one on ties, until no adjacent pair has a merge. This is the order of GPT-2's bpe() and of Hugging Face's BPE model.
/// </summary>
internal static class BytePairMerger
{
    // Below this length rescanning every pair per merge is cheaper than keeping a heap.
    private const int HeapThreshold = 48;

    /// <summary>Merges <paramref name="symbols"/> in place and returns how many symbols remain.</summary>
    public static int Merge(MergeTable merges, Span<int> symbols)
    {
        return symbols.Length < HeapThreshold ? MergeByScanning(merges, symbols) : MergeWithHeap(merges, symbols);
    }

    private static int MergeByScanning(MergeTable merges, Span<int> symbols)
    {
        int count = symbols.Length;
        Span<int> ranks = stackalloc int[HeapThreshold];
        for (int i = 0; i + 1 < count; i++)
        {
            ranks[i] = merges.RankOf(symbols[i], symbols[i + 1]);
        }

        while (count > 1)
        {
            int best = -1;
            int bestRank = int.MaxValue;
            for (int i = 0; i + 1 < count; i++)
            {
                if (ranks[i] < bestRank)
                {
                    bestRank = ranks[i];
                    best = i;
                }
            }

            if (best < 0)
            {
                break;
            }

            symbols[best] = merges.MergedIdAt(bestRank);
            for (int i = best + 1; i + 1 < count; i++)
            {
                symbols[i] = symbols[i + 1];
                ranks[i] = ranks[i + 1];
            }

            count--;
            if (best > 0)
            {
                ranks[best - 1] = merges.RankOf(symbols[best - 1], symbols[best]);
            }

            if (best + 1 < count)
            {
                ranks[best] = merges.RankOf(symbols[best], symbols[best + 1]);
            }
        }

        return count;
    }

    /// <summary>The same merge order for long pieces (long whitespace runs, digit-free words), in O(n log n).</summary>
    private static int MergeWithHeap(MergeTable merges, Span<int> symbols)
    {
        int n = symbols.Length;
        var ids = symbols.ToArray();
        var next = new int[n];
        var prev = new int[n];
        for (int i = 0; i < n; i++)
        {
            next[i] = i + 1 < n ? i + 1 : -1;
            prev[i] = i - 1;
        }

        // Priority: rank, then position, so equal ranks merge left to right.
        var queue = new PriorityQueue<(int Left, int LeftId, int RightId), (int Rank, int Position)>();
        void Enqueue(int left)
        {
            int right = next[left];
            int rank = merges.RankOf(ids[left], ids[right]);
            if (rank != int.MaxValue)
            {
                queue.Enqueue((left, ids[left], ids[right]), (rank, left));
            }
        }

        for (int i = 0; i + 1 < n; i++)
        {
            Enqueue(i);
        }

        while (queue.TryDequeue(out var pair, out var priority))
        {
            int left = pair.Left;
            int right = next[left];
            // Entries go stale when a neighbour merged first; the ids tell whether this pair still stands.
            if (ids[left] != pair.LeftId || right < 0 || ids[right] != pair.RightId)
            {
                continue;
            }

            ids[left] = merges.MergedIdAt(priority.Rank);
            ids[right] = -1;
            next[left] = next[right];
            if (next[left] >= 0)
            {
                prev[next[left]] = left;
                Enqueue(left);
            }

            if (prev[left] >= 0)
            {
                Enqueue(prev[left]);
            }
        }

        int count = 0;
        for (int i = 0; i >= 0; i = next[i])
        {
            symbols[count++] = ids[i];
        }

        return count;
    }
}
