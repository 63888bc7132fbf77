using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace DeepResearcher.Web.Search;

/// <summary>Turns a provider's title or snippet (which may carry <c>&lt;strong&gt;</c> highlights and entities) into plain one-line text.</summary>
internal static partial class SnippetText
{
    public static string Clean(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        // Tags go first so an entity-encoded "&lt;b&gt;" in the text survives as the literal characters it stands for.
        string withoutTags = text.Contains('<', StringComparison.Ordinal) ? HtmlTag().Replace(text, " ") : text;
        string decoded = withoutTags.Contains('&', StringComparison.Ordinal) ? WebUtility.HtmlDecode(withoutTags) : withoutTags;
        return CollapseWhitespace(decoded);
    }

    public static string CollapseWhitespace(string text)
    {
        var builder = new StringBuilder(text.Length);
        bool pendingSpace = false;
        foreach (char c in text)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
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

    [GeneratedRegex("<[^<>]*>", RegexOptions.CultureInvariant)]
    private static partial Regex HtmlTag();
}
