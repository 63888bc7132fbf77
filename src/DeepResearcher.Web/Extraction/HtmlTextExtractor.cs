using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace DeepResearcher.Web.Extraction;

/// <summary>
/// Turns a fetched page into clean text: parses HTML with AngleSharp, drops chrome (navigation, banners, consent popups,
/// share bars, comments, related links, hidden and non-text elements), locates the main content by text and link density,
/// and writes it as markdown-flavoured text: <c>#</c> headings, <c>- </c> list items, <c>a | b</c> table rows, fenced code,
/// and blank lines between paragraphs. Linear in the size of the page; safe to share between threads.
/// </summary>
public sealed class HtmlTextExtractor
{
    private const int PlainTitleLength = 120;

    private static readonly HtmlParserOptions ParserOptions = new()
    {
        IsScripting = false,
        SkipComments = true,
        SkipScriptText = true,
        SkipRawText = true,
        SkipProcessingInstructions = true,
        DisableElementPositionTracking = true,
    };

    /// <summary>Extracts the title and main text of an HTML document. Never throws on malformed markup.</summary>
    public ExtractedPage Extract(string html)
    {
        ArgumentNullException.ThrowIfNull(html);
        var parser = new HtmlParser(ParserOptions);
        using var document = parser.ParseDocument(MarkupDepthLimiter.Limit(html));
        var root = document.Body ?? document.DocumentElement;
        if (root is null)
        {
            return new ExtractedPage(Collapse(document.Title), string.Empty);
        }

        using var tree = PageTree.Build(root);
        var content = MainContentLocator.Locate(tree);
        var writer = new BlockTextWriter();
        var headline = FindHeadlineBefore(tree, content);
        if (headline >= 0)
        {
            // The article's h1 often sits in a header just above the container that wins on text density.
            PageTreeRenderer.Render(tree, headline, writer);
            writer.Break(2);
        }

        PageTreeRenderer.Render(tree, content, writer);
        var title = Collapse(document.Title);
        if (title.Length == 0)
        {
            title = FirstHeadingText(tree);
        }

        return new ExtractedPage(title, writer.ToString());
    }

    /// <summary>
    /// Extracts a fetched body according to its media type: HTML and XHTML are parsed, other text is normalised as plain
    /// text. Without a media type, a body starting with <c>&lt;</c> is taken for HTML.
    /// </summary>
    public ExtractedPage Extract(string body, string? contentType)
    {
        ArgumentNullException.ThrowIfNull(body);
        var isHtml = contentType is { Length: > 0 }
            ? contentType.Contains("html", StringComparison.OrdinalIgnoreCase) || contentType.Contains("xml", StringComparison.OrdinalIgnoreCase)
            : body.AsSpan().TrimStart().StartsWith("<");
        return isHtml ? Extract(body) : ExtractPlainText(body);
    }

    /// <summary>Normalises a text/plain body: newlines unified, trailing spaces and runs of blank lines removed; the title is its first line.</summary>
    public ExtractedPage ExtractPlainText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var normalized = PlainTextNormalizer.Normalize(text);
        return new ExtractedPage(PlainTextNormalizer.FirstLine(normalized, PlainTitleLength), normalized);
    }

    private static int FindHeadlineBefore(PageTree tree, int content)
    {
        if (content == 0)
        {
            return -1;
        }

        var nodes = tree.Nodes;
        var end = nodes[content].SubtreeEnd;
        for (var i = content; i <= end; i++)
        {
            if (!nodes[i].IsText && nodes[i].Kind == ElementKind.Heading && nodes[i].HeadingLevel == 1 && !nodes[i].Removed)
            {
                return -1;
            }
        }

        for (var i = content - 1; i > 0; i--)
        {
            ref var node = ref nodes[i];
            if (!node.IsText && node.Kind == ElementKind.Heading && node.HeadingLevel == 1 && !node.Removed && node.SubtreeText > 0)
            {
                return i;
            }
        }

        return -1;
    }

    private static string FirstHeadingText(PageTree tree)
    {
        var nodes = tree.Nodes;
        for (var i = 0; i < nodes.Length; i++)
        {
            if (!nodes[i].IsText && nodes[i].Kind == ElementKind.Heading && nodes[i].SubtreeText > 0)
            {
                var writer = new BlockTextWriter { CellDepth = 1 };
                for (var j = i + 1; j <= nodes[i].SubtreeEnd; j++)
                {
                    if (nodes[j].IsText)
                    {
                        writer.Write(nodes[j].Text);
                    }
                }

                return writer.ToString();
            }
        }

        return string.Empty;
    }

    private static string Collapse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return string.Empty;
        }

        var writer = new BlockTextWriter { CellDepth = 1 };
        writer.Write(text);
        return writer.ToString();
    }
}
