using System.Buffers;
using System.Collections.Frozen;

namespace DeepResearcher.Web.Extraction;

/// <summary>Recognises page chrome (navigation, consent banners, share bars, comment sections, related links) by markup conventions.</summary>
internal static class ChromePatterns
{
    // Matched anywhere inside class, id and aria-label values: specific enough that false positives are rare.
    private static readonly SearchValues<string> Fragments = SearchValues.Create(
        [
            "cookie", "consent", "gdpr", "newsletter", "popup", "pop-up", "modal", "lightbox", "comment", "disqus", "related",
            "sharing", "share-", "-share", "_share", "share_", "sharebar", "social", "breadcrumb", "sidebar", "advert", "sponsor",
            "promo", "subscribe", "signup", "sign-up", "paywall", "outbrain", "taboola", "skip-link", "skiplink", "skip-to",
            "jump-link", "navbar", "navbox", "navigation", "nav-", "-nav", "_nav", "menu", "masthead", "banner", "footer",
            "toolbar", "editsection", "recommend", "trending", "most-read", "mostread", "most-popular", "mostpopular",
            "pagination", "pager", "noprint", "catlinks", "adsbygoogle", "ad-slot", "ad-container", "ad-wrapper", "dialog",
            "didomi", "truste", "qc-cmp", "cmpbox", "sp_message", "osano", "iubenda", "usercentrics",
        ],
        StringComparison.OrdinalIgnoreCase);

    // Matched only as whole class/id tokens, because as fragments they hide inside ordinary words ("ad" in "header", "nav" in "canvas").
    private static readonly FrozenSet<string> Tokens = FrozenSet.Create(
        StringComparer.OrdinalIgnoreCase,
        "ad", "ads", "nav", "share", "shares", "tags");

    private static readonly FrozenSet<string> ChromeRoles = FrozenSet.Create(
        StringComparer.OrdinalIgnoreCase,
        "navigation", "contentinfo", "complementary", "search", "dialog", "alertdialog", "menu", "menubar", "toolbar", "tablist");

    private static readonly SearchValues<string> HeaderFragments = SearchValues.Create(["header", "masthead"], StringComparison.OrdinalIgnoreCase);

    private static readonly FrozenSet<string> HiddenTokens = FrozenSet.Create(
        StringComparer.OrdinalIgnoreCase,
        "hidden", "sr-only", "visually-hidden", "visuallyhidden", "screen-reader-text", "d-none", "hide");

    public static ChromeMatch OfTag(string localName) => localName switch
    {
        "nav" or "aside" or "footer" or "form" => ChromeMatch.Chrome,
        "header" => ChromeMatch.Header,
        _ => ChromeMatch.None,
    };

    public static ChromeMatch OfAttributes(string? id, string? className, string? role, string? ariaLabel)
    {
        if (role is { Length: > 0 })
        {
            if (ChromeRoles.Contains(role.Trim()))
            {
                return ChromeMatch.Chrome;
            }

            if (role.Trim().Equals("banner", StringComparison.OrdinalIgnoreCase))
            {
                return ChromeMatch.Header;
            }
        }

        if (IsChromeName(className) || IsChromeName(id) || IsChromeName(ariaLabel))
        {
            return ChromeMatch.Chrome;
        }

        return IsHeaderName(className) || IsHeaderName(id) ? ChromeMatch.HeaderName : ChromeMatch.None;
    }

    /// <summary>True when a class list marks the element as not displayed (utility classes of common CSS frameworks).</summary>
    public static bool IsHiddenClass(string? className)
    {
        if (string.IsNullOrEmpty(className))
        {
            return false;
        }

        var lookup = HiddenTokens.GetAlternateLookup<ReadOnlySpan<char>>();
        foreach (var range in className.AsSpan().SplitAny(" \t\r\n\f"))
        {
            var token = className.AsSpan(range.Start.Value, range.End.Value - range.Start.Value);
            if (token.Length > 0 && lookup.Contains(token))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when an inline style hides the element.</summary>
    public static bool IsHiddenStyle(string? style)
    {
        if (string.IsNullOrEmpty(style))
        {
            return false;
        }

        var span = style.AsSpan();
        return ContainsProperty(span, "display", "none") || ContainsProperty(span, "visibility", "hidden");
    }

    private static bool ContainsProperty(ReadOnlySpan<char> style, string property, string value)
    {
        var at = style.IndexOf(property, StringComparison.OrdinalIgnoreCase);
        while (at >= 0)
        {
            var rest = style[(at + property.Length)..].TrimStart();
            if (rest.Length > 0 && rest[0] == ':' && rest[1..].TrimStart().StartsWith(value, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            var next = style[(at + property.Length)..].IndexOf(property, StringComparison.OrdinalIgnoreCase);
            at = next < 0 ? -1 : at + property.Length + next;
        }

        return false;
    }

    private static bool IsChromeName(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }

        var span = value.AsSpan();
        if (span.IndexOfAny(Fragments) >= 0)
        {
            return true;
        }

        var lookup = Tokens.GetAlternateLookup<ReadOnlySpan<char>>();
        var start = 0;
        for (var i = 0; i <= span.Length; i++)
        {
            if (i == span.Length || !char.IsAsciiLetterOrDigit(span[i]))
            {
                if (i > start && lookup.Contains(span[start..i]))
                {
                    return true;
                }

                start = i + 1;
            }
        }

        return false;
    }

    private static bool IsHeaderName(string? value) => !string.IsNullOrEmpty(value) && value.AsSpan().IndexOfAny(HeaderFragments) >= 0;
}
