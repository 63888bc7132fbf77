namespace DeepResearcher.Training.Data;

/// <summary>
/// Counter-based draws: the i-th item of step s is a pure function of (seed, stream, step, i), so a resumed run
/// draws the same batches as an uninterrupted one with nothing to save but the step. SplitMix64 finaliser.
/// </summary>
public static class DataOrder
{
    /// <summary>A uniform index in [0, count) for draw <paramref name="index"/> of <paramref name="step"/>.</summary>
    public static int Index(ulong seed, string stream, long step, int index, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ulong h = Mix(seed ^ Mix(StableHash(stream)) ^ Mix((ulong)step * 0x9E3779B97F4A7C15UL) ^ Mix(((ulong)index << 1) | 1));
        return (int)(h % (ulong)count);
    }

    /// <summary>A seeded Fisher–Yates permutation of <paramref name="items"/> (a new list).</summary>
    public static List<T> Shuffle<T>(IReadOnlyList<T> items, ulong seed, string stream)
    {
        var list = items.ToList();
        for (int i = list.Count - 1; i > 0; i--)
        {
            int j = Index(seed, stream, 0, i, i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }

        return list;
    }

    /// <summary>The trainer seed as a 32-bit seed for APIs that take one.</summary>
    public static int Seed32(ulong seed, string stream) => (int)(Mix(seed ^ Mix(StableHash(stream))) & 0x7FFF_FFFF);

    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    // string.GetHashCode is randomised per process; this one is not (FNV-1a).
    private static ulong StableHash(string text)
    {
        ulong h = 0xCBF29CE484222325UL;
        foreach (char c in text)
        {
            h = (h ^ c) * 0x100000001B3UL;
        }

        return h;
    }
}
