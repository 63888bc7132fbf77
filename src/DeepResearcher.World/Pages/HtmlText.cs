using System.Net;
using System.Text;

namespace DeepResearcher.World.Pages;

/// <summary>
/// Crude HTML-to-text: drops head, script and style, turns block tags into line breaks and collapses whitespace. It is a lower bound
/// on what a markdown converter produces, so a position measured here is never later in a converted page.
/// </summary>
public static class HtmlText
{
    public static string Extract(string html)
    {
        var sb = new StringBuilder(html.Length / 2);
        int i = 0;
        bool lastSpace = true;
        while (i < html.Length)
        {
            char c = html[i];
            if (c == '<')
            {
                int close = html.IndexOf('>', i);
                if (close < 0) break;
                var tag = html.AsSpan(i + 1, close - i - 1);
                string? skipUntil = StartsWithName(tag, "script") ? "</script>" : StartsWithName(tag, "style") ? "</style>" : StartsWithName(tag, "head") ? "</head>" : null;
                if (skipUntil is not null)
                {
                    int end = html.IndexOf(skipUntil, close, StringComparison.OrdinalIgnoreCase);
                    i = end < 0 ? html.Length : end + skipUntil.Length;
                    continue;
                }
                if (IsBlock(tag) && !lastSpace)
                {
                    sb.Append('\n');
                    lastSpace = true;
                }
                i = close + 1;
                continue;
            }
            if (c == '&')
            {
                int semi = html.IndexOf(';', i);
                if (semi > i && semi - i < 10)
                {
                    string decoded = WebUtility.HtmlDecode(html.Substring(i, semi - i + 1));
                    sb.Append(decoded);
                    lastSpace = false;
                    i = semi + 1;
                    continue;
                }
            }
            if (char.IsWhiteSpace(c))
            {
                if (!lastSpace)
                {
                    sb.Append(' ');
                    lastSpace = true;
                }
            }
            else
            {
                sb.Append(c);
                lastSpace = false;
            }
            i++;
        }
        return sb.ToString().Trim();
    }

    private static bool StartsWithName(ReadOnlySpan<char> tag, string name) =>
        tag.StartsWith(name, StringComparison.OrdinalIgnoreCase) && (tag.Length == name.Length || !char.IsLetterOrDigit(tag[name.Length]));

    private static bool IsBlock(ReadOnlySpan<char> tag)
    {
        if (tag.Length > 0 && tag[0] == '/') tag = tag[1..];
        ReadOnlySpan<string> blocks = ["p", "div", "h1", "h2", "h3", "li", "ul", "tr", "table", "header", "footer", "main", "article", "aside", "nav", "br", "caption", "form"];
        foreach (var b in blocks)
        {
            if (StartsWithName(tag, b)) return true;
        }
        return false;
    }
}
