using System.Collections.Frozen;

namespace DeepResearcher.Web.Extraction;

/// <summary>Maps HTML tag names to their <see cref="ElementKind"/>.</summary>
internal static class ElementKinds
{
    private static readonly FrozenDictionary<string, ElementKind> ByTag = Build().ToFrozenDictionary(StringComparer.Ordinal);

    public static ElementKind Of(string localName)
    {
        if (ByTag.TryGetValue(localName, out var kind))
        {
            return kind;
        }

        // Custom elements (web components such as <shreddit-comment>) are almost always block containers.
        return localName.Contains('-', StringComparison.Ordinal) ? ElementKind.Block : ElementKind.Inline;
    }

    /// <summary>Elements that begin a new text block: text inside is attributed to the nearest such ancestor.</summary>
    public static bool IsBlockLike(ElementKind kind) => kind is not (ElementKind.Inline or ElementKind.Anchor or ElementKind.LineBreak or ElementKind.Skipped);

    private static Dictionary<string, ElementKind> Build()
    {
        var map = new Dictionary<string, ElementKind>(StringComparer.Ordinal);
        foreach (var tag in new[]
        {
            "address", "article", "aside", "blockquote", "body", "center", "details", "div", "dl", "fieldset", "figcaption",
            "figure", "footer", "form", "header", "hgroup", "html", "legend", "main", "nav", "p", "search", "section", "summary",
            "noframes",
        })
        {
            map[tag] = ElementKind.Block;
        }

        foreach (var tag in new[] { "h1", "h2", "h3", "h4", "h5", "h6" })
        {
            map[tag] = ElementKind.Heading;
        }

        foreach (var tag in new[] { "ul", "ol", "menu", "dir" })
        {
            map[tag] = ElementKind.List;
        }

        map["li"] = ElementKind.ListItem;
        map["dt"] = ElementKind.LineBlock;
        map["dd"] = ElementKind.LineBlock;
        foreach (var tag in new[] { "pre", "listing", "xmp", "plaintext" })
        {
            map[tag] = ElementKind.Preformatted;
        }

        map["table"] = ElementKind.Table;
        map["thead"] = ElementKind.TableSection;
        map["tbody"] = ElementKind.TableSection;
        map["tfoot"] = ElementKind.TableSection;
        map["tr"] = ElementKind.TableRow;
        map["td"] = ElementKind.TableCell;
        map["th"] = ElementKind.TableCell;
        map["caption"] = ElementKind.TableCaption;
        map["br"] = ElementKind.LineBreak;
        map["hr"] = ElementKind.Rule;
        map["a"] = ElementKind.Anchor;
        foreach (var tag in new[]
        {
            "script", "style", "noscript", "template", "svg", "math", "iframe", "frame", "frameset", "object", "embed", "canvas",
            "video", "audio", "source", "track", "picture", "img", "map", "area", "select", "option", "optgroup", "datalist",
            "textarea", "button", "input", "head", "title", "meta", "link", "base", "dialog", "param", "colgroup", "col",
        })
        {
            map[tag] = ElementKind.Skipped;
        }

        return map;
    }
}
