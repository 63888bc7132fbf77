namespace DeepResearcher.World.Generation;

/// <summary>FNV-1a and a 64-bit finaliser: stable across processes, unlike <see cref="HashCode"/> and string.GetHashCode.</summary>
public static class StableHash
{
    public static ulong Of(string text)
    {
        ulong h = 0xCBF29CE484222325UL;
        foreach (char c in text)
        {
            h ^= c;
            h *= 0x100000001B3UL;
        }
        return Finalise(h);
    }

    public static ulong Mix(ulong a, ulong b) => Finalise(a ^ (b * 0x9E3779B97F4A7C15UL + 0x632BE59BD9B4E019UL));

    private static ulong Finalise(ulong z)
    {
        z = (z ^ (z >> 33)) * 0xFF51AFD7ED558CCDUL;
        z = (z ^ (z >> 33)) * 0xC4CEB9FE1A85EC53UL;
        return z ^ (z >> 33);
    }
}
