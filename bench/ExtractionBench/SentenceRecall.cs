using System.Text;

namespace ExtractionBench;

/// <summary>Share of known sentences that appear in an extractor's output, after collapsing whitespace on both sides.</summary>
internal static class SentenceRecall
{
    public static double Share(string output, IReadOnlyList<string> sentences)
    {
        if (sentences.Count == 0)
        {
            return 1;
        }

        var normalized = Collapse(output);
        var found = 0;
        foreach (var sentence in sentences)
        {
            if (normalized.Contains(Collapse(sentence), StringComparison.Ordinal))
            {
                found++;
            }
        }

        return (double)found / sentences.Count;
    }

    private static string Collapse(string text)
    {
        var builder = new StringBuilder(text.Length);
        var space = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                space = builder.Length > 0;
                continue;
            }

            if (space)
            {
                builder.Append(' ');
                space = false;
            }

            builder.Append(c);
        }

        return builder.ToString();
    }
}
