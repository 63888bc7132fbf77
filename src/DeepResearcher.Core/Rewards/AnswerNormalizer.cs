using System.Text;

namespace DeepResearcher.Core.Rewards;

/// <summary>The two answer normalisations in use: SQuAD's and the original DeepResearcher reward's.</summary>
public static class AnswerNormalizer
{
    // Python's string.punctuation, plus Unicode punctuation (a deliberate fix: the Python scripts only know ASCII,
    // so a model that writes “Paris” or an en dash scored 0 there).
    private const string AsciiPunctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

    private static readonly HashSet<string> Articles = new(StringComparer.Ordinal) { "a", "an", "the" };

    /// <summary>SQuAD: lowercase, drop punctuation, drop the articles a/an/the, collapse whitespace.</summary>
    public static string Squad(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (char c in text.ToLowerInvariant())
        {
            if (!IsPunctuation(c))
            {
                sb.Append(c);
            }
        }

        var words = new List<string>();
        foreach (string word in sb.ToString().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            if (!Articles.Contains(word))
            {
                words.Add(word);
            }
        }

        return string.Join(' ', words);
    }

    /// <summary>The original reward (spec §5): lowercase, every punctuation character becomes a space, collapse whitespace.</summary>
    public static string Original(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (char c in text.ToLowerInvariant())
        {
            sb.Append(IsPunctuation(c) ? ' ' : c);
        }

        return string.Join(' ', sb.ToString().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
    }

    public static bool IsPunctuation(char c)
        => c < 128 ? AsciiPunctuation.Contains(c, StringComparison.Ordinal) : char.IsPunctuation(c);

    public static string[] Words(string normalized) => normalized.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
