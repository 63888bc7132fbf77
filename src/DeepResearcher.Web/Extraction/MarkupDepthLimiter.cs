using System.Buffers;
using System.Collections.Frozen;
using System.Text;

namespace DeepResearcher.Web.Extraction;

/// <summary>
/// Guards the parser against pathological nesting. AngleSharp checks its stack of open elements on every start tag, so
/// tens of thousands of unclosed containers make parsing quadratic (20,000 nested divs take seconds). One linear scan
/// estimates the nesting depth; only when it exceeds the limit are the excess start tags deleted, keeping all text.
/// </summary>
internal static class MarkupDepthLimiter
{
    /// <summary>Far deeper than any real page (browsers stop nesting at 512), far shallower than the quadratic zone.</summary>
    public const int DefaultLimit = 2048;

    // Start tags that never deepen the tree: void elements, and ones that the parser closes implicitly.
    private static readonly FrozenSet<string> Flat = FrozenSet.Create(
        StringComparer.OrdinalIgnoreCase,
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr", "param", "keygen",
        "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "rb", "rt", "rp", "thead", "tbody", "tfoot", "colgroup",
        "html", "head", "body");

    // Elements whose content is text up to their end tag, so "<" inside them is not markup.
    private static readonly FrozenSet<string> RawText = FrozenSet.Create(
        StringComparer.OrdinalIgnoreCase,
        "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes");

    private static readonly SearchValues<char> TagNameEnd = SearchValues.Create(" \t\n\r\f/>");

    public static string Limit(string html, int limit = DefaultLimit)
    {
        var flatLookup = Flat.GetAlternateLookup<ReadOnlySpan<char>>();
        var rawLookup = RawText.GetAlternateLookup<ReadOnlySpan<char>>();
        var span = html.AsSpan();
        var depth = 0;
        List<Range>? excess = null;
        var i = span.IndexOf('<');
        while (i >= 0 && i < span.Length - 1)
        {
            var next = span[i + 1];
            int end;
            if (next == '!')
            {
                end = span[i..].StartsWith("<!--") ? IndexAfter(span, i + 4, "-->") : IndexAfter(span, i, ">");
            }
            else if (next == '/' && i + 2 < span.Length && char.IsAsciiLetter(span[i + 2]))
            {
                var name = TagName(span, i + 2);
                if (depth > 0 && !flatLookup.Contains(name))
                {
                    depth--;
                }

                end = IndexAfter(span, i, ">");
            }
            else if (char.IsAsciiLetter(next))
            {
                var name = TagName(span, i + 1);
                end = EndOfStartTag(span, i + 1 + name.Length);
                var selfClosing = end >= 2 && end <= span.Length && span[end - 2] == '/';
                if (rawLookup.Contains(name))
                {
                    end = IndexAfter(span, end, "</" + name.ToString());
                }
                else if (!selfClosing && !flatLookup.Contains(name) && ++depth > limit)
                {
                    (excess ??= []).Add(new Range(i, end));
                    depth--;
                }
            }
            else
            {
                end = i + 1;
            }

            if (end >= span.Length)
            {
                break;
            }

            var rest = span[end..].IndexOf('<');
            i = rest < 0 ? -1 : end + rest;
        }

        return excess is null ? html : Remove(html, excess);
    }

    private static ReadOnlySpan<char> TagName(ReadOnlySpan<char> span, int start)
    {
        var length = span[start..].IndexOfAny(TagNameEnd);
        return length < 0 ? span[start..] : span.Slice(start, length);
    }

    private static int EndOfStartTag(ReadOnlySpan<char> span, int from)
    {
        var quote = '\0';
        for (var i = from; i < span.Length; i++)
        {
            var c = span[i];
            if (quote != '\0')
            {
                if (c == quote)
                {
                    quote = '\0';
                }
            }
            else if (c is '"' or '\'')
            {
                quote = c;
            }
            else if (c == '>')
            {
                return i + 1;
            }
        }

        return span.Length;
    }

    private static int IndexAfter(ReadOnlySpan<char> span, int from, string marker)
    {
        // Ordinal search for the first character, then a case-blind comparison: much faster than a case-blind IndexOf.
        var first = marker[0];
        var at = from;
        while (at < span.Length)
        {
            var next = span[at..].IndexOf(first);
            if (next < 0)
            {
                return span.Length;
            }

            at += next;
            if (span[at..].StartsWith(marker, StringComparison.OrdinalIgnoreCase))
            {
                return at + marker.Length;
            }

            at++;
        }

        return span.Length;
    }

    private static string Remove(string html, List<Range> ranges)
    {
        var output = new StringBuilder(html.Length);
        var from = 0;
        foreach (var range in ranges)
        {
            output.Append(html, from, range.Start.Value - from);
            from = range.End.Value;
        }

        return output.Append(html, from, html.Length - from).ToString();
    }
}
