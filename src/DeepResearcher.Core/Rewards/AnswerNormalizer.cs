using System.Text;

namespace DeepResearcher.Core.Rewards;

/// <summary>
/// The two answer normalisations in use, each exactly as its Python script has it (on code points, with Python's
/// lowercasing and whitespace, see <see cref="PythonText"/>): SQuAD v1.1's <c>normalize_answer</c> and the original
/// DeepResearcher reward's <c>preprocess_text</c>. <see cref="MetricRules.UnicodePunctuation"/> widens both scripts'
/// ASCII <c>string.punctuation</c> to every Unicode punctuation character.
/// </summary>
public static class AnswerNormalizer
{
    // Python's string.punctuation.
    private const string AsciiPunctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

    /// <summary>
    /// SQuAD v1.1: <c>lower</c>, remove punctuation, replace the articles a/an/the (<c>\b(a|an|the)\b</c>) by a space,
    /// then <c>' '.join(text.split())</c>.
    /// </summary>
    public static string Squad(string text, MetricRules rules = MetricRules.None)
    {
        string lowered = PythonText.Lower(text);
        var kept = new StringBuilder(lowered.Length);
        for (int i = 0; i < lowered.Length;)
        {
            int cp = PythonText.CodePointAt(lowered, i, out int length);
            if (!IsPunctuation(cp, rules))
            {
                kept.Append(lowered, i, length);
            }

            i += length;
        }

        return string.Join(' ', PythonText.Split(RemoveArticles(kept.ToString())));
    }

    /// <summary>
    /// The original reward (spec §5, <c>format_and_f1.py</c>): <c>lower</c>, every punctuation character becomes a space,
    /// <c>re.sub(r'\s+', ' ', text).strip()</c>. No article removal.
    /// </summary>
    public static string Original(string text, MetricRules rules = MetricRules.None)
    {
        string lowered = PythonText.Lower(text);
        var spaced = new StringBuilder(lowered.Length);
        for (int i = 0; i < lowered.Length;)
        {
            int cp = PythonText.CodePointAt(lowered, i, out int length);
            if (IsPunctuation(cp, rules))
            {
                spaced.Append(' ');
            }
            else
            {
                spaced.Append(lowered, i, length);
            }

            i += length;
        }

        return string.Join(' ', PythonText.Split(spaced.ToString()));
    }

    /// <summary>ASCII's <c>string.punctuation</c>; with <see cref="MetricRules.UnicodePunctuation"/>, also Unicode's P* categories.</summary>
    public static bool IsPunctuation(int codePoint, MetricRules rules = MetricRules.None)
        => codePoint < 128
            ? AsciiPunctuation.Contains((char)codePoint, StringComparison.Ordinal)
            : (rules & MetricRules.UnicodePunctuation) != 0 && !PythonText.IsLoneSurrogate(codePoint) && Rune.IsPunctuation(new Rune(codePoint));

    /// <summary>The words of a normalised string (its words are separated by single spaces).</summary>
    public static string[] Words(string normalized) => normalized.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    // re.sub(r'\b(a|an|the)\b', ' ', text): a match is a whole run of word characters that is an article, since \b needs
    // a non-word character (or an end) on both sides and the alternatives contain only word characters.
    private static string RemoveArticles(string text)
    {
        var sb = new StringBuilder(text.Length);
        int i = 0;
        while (i < text.Length)
        {
            int cp = PythonText.CodePointAt(text, i, out int length);
            if (!PythonText.IsWordCharacter(cp))
            {
                sb.Append(text, i, length);
                i += length;
                continue;
            }

            int start = i;
            while (i < text.Length && PythonText.IsWordCharacter(PythonText.CodePointAt(text, i, out int step)))
            {
                i += step;
            }

            string word = text[start..i];
            sb.Append(word is "a" or "an" or "the" ? " " : word);
        }

        return sb.ToString();
    }
}
