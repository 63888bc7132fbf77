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

    /// <summary>
    /// Terms of a question without its question form: the word after "how" (how many, how long, how old) asks for a
    /// quantity and rarely appears next to the answer, while filler text uses it often ("for a long time").
    /// </summary>
    public static List<string> QuestionTerms(string question)
    {
        var kept = new List<string>();
        string previous = string.Empty;
        foreach (string word in question.Split([' ', '\t', '\n', '?', ',', '.'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (!previous.Equals("how", StringComparison.OrdinalIgnoreCase))
            {
                kept.Add(word);
            }

            previous = word;
        }

        return Terms(string.Join(' ', kept));
    }

    /// <summary>A light suffix stripper (founded, founding → found; cities → city), enough to match inflections.</summary>
    internal static string Stem(string term)
    {
        if (term.Length > 5 && term.EndsWith("ing", StringComparison.Ordinal))
        {
            return term[..^3];
        }

        if (term.Length > 4 && term.EndsWith("ed", StringComparison.Ordinal))
        {
            return term[..^2];
        }

        if (term.Length > 4 && term.EndsWith("ies", StringComparison.Ordinal))
        {
            return term[..^3] + "y";
        }

        if (term.Length > 3 && term.EndsWith('s') && !term.EndsWith("ss", StringComparison.Ordinal))
        {
            return term[..^1];
        }

        return term;
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
            terms.Add(Stem(term));
        }
    }
}
