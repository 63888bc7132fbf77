namespace DeepResearcher.World.Generation;

/// <summary>
/// Pronounceable syllable-based names. Uniqueness is enforced across every name and alias the forge hands out, so a name
/// or alias identifies one entity (surnames are the deliberate exception: they repeat across people).
/// </summary>
public sealed class NameForge
{
    private static readonly string[] Onsets =
        ["b", "d", "k", "l", "m", "n", "r", "s", "t", "v", "z", "th", "sh", "dr", "kr", "tr", "br", "g", "h", "f", "p", "ch", "st", "gl", "qu"];

    private static readonly string[] Vowels = ["a", "e", "i", "o", "u", "a", "e", "o", "ae", "io", "ei", "ou", "y"];
    private static readonly string[] Codas = ["", "", "", "n", "r", "l", "s", "th", "k", "m", "nd", "rn"];

    private readonly HashSet<string> _taken = new(StringComparer.OrdinalIgnoreCase);

    public bool IsTaken(string name) => _taken.Contains(name);

    /// <summary>Claims a name; false if it (or something differing only in case) was already claimed.</summary>
    public bool TryClaim(string name) => _taken.Add(name);

    public void Claim(string name)
    {
        if (!_taken.Add(name)) throw new InvalidOperationException($"Name '{name}' was claimed twice.");
    }

    /// <summary>A capitalised word of <paramref name="minSyllables"/>..<paramref name="maxSyllables"/> syllables, not necessarily unique.</summary>
    public static string Word(ref Prng rng, int minSyllables, int maxSyllables)
    {
        int n = rng.Next(minSyllables, maxSyllables + 1);
        Span<char> buffer = stackalloc char[48];
        int len = 0;
        for (int i = 0; i < n; i++)
        {
            // Open syllables after the first keep long names pronounceable.
            string onset = i == 0 && rng.Chance(0.2) ? "" : Onsets[rng.Next(Onsets.Length)];
            string vowel = Vowels[rng.Next(Vowels.Length)];
            string coda = i == n - 1 || rng.Chance(0.3) ? Codas[rng.Next(Codas.Length)] : "";
            if (len > 0 && onset.Length == 0 && IsVowel(buffer[len - 1])) onset = "r";
            Append(buffer, ref len, onset);
            Append(buffer, ref len, vowel);
            Append(buffer, ref len, coda);
        }
        buffer[0] = char.ToUpperInvariant(buffer[0]);
        return new string(buffer[..len]);
    }

    /// <summary>Draws words until one is free, claims it and returns it.</summary>
    public string Unique(ref Prng rng, Func<string, string> shape, int minSyllables, int maxSyllables)
    {
        for (int attempt = 0; ; attempt++)
        {
            int extra = Math.Min(2, attempt / 50); // widen the space if it gets crowded
            string candidate = shape(Word(ref rng, minSyllables, maxSyllables + extra));
            if (candidate.Length <= 40 && _taken.Add(candidate)) return candidate;
            if (attempt > 10_000) throw new InvalidOperationException("Name space exhausted; this should not happen for the supported sizes.");
        }
    }

    /// <summary>A spelling variant ("Kessa" → "Cessa"), or null if no rule applies.</summary>
    public static string? Transliterate(string name)
    {
        ReadOnlySpan<(string From, string To)> rules =
        [
            ("ph", "f"), ("k", "c"), ("y", "i"), ("v", "w"), ("ou", "u"), ("th", "t"), ("sh", "sch"), ("ae", "e"), ("ei", "ai"), ("c", "k"), ("i", "y"),
        ];
        string lower = name.ToLowerInvariant();
        foreach (var (from, to) in rules)
        {
            int at = lower.IndexOf(from, StringComparison.Ordinal);
            if (at < 0) continue;
            string replaced = string.Concat(name.AsSpan(0, at), at == 0 ? Capitalise(to) : to, name.AsSpan(at + from.Length));
            if (at == 0 && replaced.Length > 0) replaced = Capitalise(replaced);
            if (!string.Equals(replaced, name, StringComparison.Ordinal)) return replaced;
        }
        return null;
    }

    public static string Capitalise(string s) => s.Length == 0 ? s : string.Concat(char.ToUpperInvariant(s[0]).ToString(), s.AsSpan(1));

    private static bool IsVowel(char c) => c is 'a' or 'e' or 'i' or 'o' or 'u' or 'y';

    private static void Append(Span<char> buffer, ref int len, string part)
    {
        part.AsSpan().CopyTo(buffer[len..]);
        len += part.Length;
    }
}
