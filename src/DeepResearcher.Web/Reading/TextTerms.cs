using System.Text;

namespace DeepResearcher.Web.Reading;

/// <summary>Lowercased word terms for lexical relevance, with English stop words removed.</summary>
internal static class TextTerms
{
    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "a", "an", "and", "are", "as", "at", "be", "by", "did", "do", "does", "for", "from", "had", "has", "have", "how", "in",
        "is", "it", "its", "of", "on", "or", "that", "the", "this", "to", "was", "were", "what", "when", "where", "which",
        "who", "whom", "whose", "why", "with", "s", "than", "then", "there", "these", "those", "into", "about", "after",
    };

    public static List<string> Terms(string text)
    {
        var terms = new List<string>();
        var word = new StringBuilder();
        foreach (char c in text)
        {
            if (char.IsLetterOrDigit(c))
            {
                word.Append(char.ToLowerInvariant(c));
            }
            else
            {
                Flush(word, terms);
            }
        }

        Flush(word, terms);
        return terms;
    }

    private static void Flush(StringBuilder word, List<string> terms)
    {
        if (word.Length == 0)
        {
            return;
        }

        string term = word.ToString();
        word.Clear();
        if (!StopWords.Contains(term))
        {
            terms.Add(term);
        }
    }
}
