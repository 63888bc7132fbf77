using System.Text;

namespace DeepResearcher.World.Search;

/// <summary>
/// Turns free text into a safe FTS5 MATCH expression: only letter/digit runs survive, each is quoted, and they are OR-ed so that
/// ranking (not boolean logic) decides. Quotes, operators (AND, NEAR, *, ^, :) and punctuation in user queries cannot throw.
/// </summary>
public static class FtsQuery
{
    public const int MaxTerms = 16;

    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "a", "an", "and", "are", "as", "at", "be", "by", "did", "do", "does", "for", "from", "has", "have", "how", "in", "into", "is", "it",
        "its", "of", "on", "or", "than", "that", "the", "this", "to", "was", "were", "what", "when", "where", "which", "who", "whom", "whose", "with",
        "name", "many", "much", "and", "not", "near",
    };

    /// <summary>The MATCH expression, or null when the query has no searchable term.</summary>
    public static string? Build(string? query) => Or(Terms(query));

    /// <summary>Lower-cased letter/digit runs of the query without stop words (all of them if only stop words), at most <see cref="MaxTerms"/>.</summary>
    public static IReadOnlyList<string> Terms(string? query)
    {
        if (string.IsNullOrWhiteSpace(query)) return [];
        var terms = new List<string>();
        var all = new List<string>();
        var current = new StringBuilder();
        foreach (char raw in query)
        {
            if (char.IsLetterOrDigit(raw))
            {
                current.Append(char.ToLowerInvariant(raw));
                continue;
            }
            Flush(current, terms, all);
        }
        Flush(current, terms, all);
        // A query made only of stop words still deserves an answer.
        var chosen = terms.Count > 0 ? terms : all;
        if (chosen.Count > MaxTerms) chosen.RemoveRange(MaxTerms, chosen.Count - MaxTerms);
        return chosen;
    }

    /// <summary>OR of quoted terms (terms are letter/digit runs, so quoting them is always safe); null for no terms.</summary>
    public static string? Or(IReadOnlyList<string> terms)
    {
        if (terms.Count == 0) return null;
        var sb = new StringBuilder();
        for (int i = 0; i < terms.Count; i++)
        {
            if (i > 0) sb.Append(" OR ");
            sb.Append('"').Append(terms[i]).Append('"');
        }
        return sb.ToString();
    }

    private static void Flush(StringBuilder current, List<string> terms, List<string> all)
    {
        if (current.Length == 0) return;
        string term = current.ToString();
        current.Clear();
        if (term.Length > 64) term = term[..64];
        if (!all.Contains(term)) all.Add(term);
        if (!StopWords.Contains(term) && !terms.Contains(term)) terms.Add(term);
    }
}
