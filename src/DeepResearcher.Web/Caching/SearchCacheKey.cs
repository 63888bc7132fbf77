using System.Globalization;
using System.Text;
using DeepResearcher.Web.Search;

namespace DeepResearcher.Web.Caching;

/// <summary>
/// The cache key of a search: <c>search:v1:{provider}:{region}:{language}:{count}:{query}</c>.
/// The query is trimmed and has its whitespace runs collapsed to one space, so "a  b " and "a b" share an entry. (No Unicode
/// normalisation: the project runs with invariant globalization, where <see cref="string.Normalize()"/> is unavailable.) Its case is kept: Google's operators are case-sensitive ("A OR B" is a disjunction, "a or b" three words), and case can
/// change results for acronyms and names ("US" vs "us"), so folding case would serve wrong cached answers. Region and language are
/// codes and are lower-cased. The count is part of the key because a top-5 answer cannot serve a top-10 request.
/// </summary>
public static class SearchCacheKey
{
    public const string Prefix = "search:v1:";

    public static string For(string provider, SearchRequest request)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(provider);
        ArgumentNullException.ThrowIfNull(request);
        return string.Create(CultureInfo.InvariantCulture,
            $"{Prefix}{Code(provider)}:{Code(request.Region)}:{Code(request.Language)}:{request.Count}:{NormaliseQuery(request.Query)}");
    }

    public static string NormaliseQuery(string query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var builder = new StringBuilder(query.Length);
        bool pendingSpace = false;
        foreach (char c in query)
        {
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = builder.Length > 0;
                continue;
            }

            if (pendingSpace)
            {
                builder.Append(' ');
                pendingSpace = false;
            }

            builder.Append(c);
        }

        return builder.ToString();
    }

    // A ':' inside a code would shift the fields, so codes cannot contain it.
    private static string Code(string value) => value.Trim().ToLowerInvariant().Replace(':', '_');
}
