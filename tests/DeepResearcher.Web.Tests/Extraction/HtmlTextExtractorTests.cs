using System.Text;
using DeepResearcher.Web.Extraction;

namespace DeepResearcher.Web.Tests.Extraction;

/// <summary>Formatting rules and robustness of <see cref="HtmlTextExtractor"/> on small inline documents.</summary>
public sealed class HtmlTextExtractorTests
{
    private const string Prose =
        "The committee met on Tuesday and agreed to extend the programme by another three years after a long debate.";

    private static readonly HtmlTextExtractor Extractor = new();

    private static string Body(string inner) => $"<html><head><title>T</title></head><body>{inner}</body></html>";

    [Fact]
    public void Headings_BecomeHashPrefixedLinesOfTheirLevel()
    {
        var text = Extractor.Extract(Body($"<article><h1>Main</h1><p>{Prose}</p><h3>Detail <em>here</em></h3><p>{Prose}</p></article>")).Text;

        Assert.Equal($"# Main\n\n{Prose}\n\n### Detail here\n\n{Prose}", text);
    }

    [Fact]
    public void Lists_BecomeDashLinesAndNestedListsAreIndented()
    {
        var text = Extractor.Extract(Body(
            $"<article><p>{Prose}</p><ul><li>First point about budgets</li><li>Second point<ul><li>a sub-point</li></ul></li></ul><ol><li>Step one</li><li><p>Step two</p></li></ol><p>{Prose}</p></article>")).Text;

        Assert.Equal(
            $"{Prose}\n\n- First point about budgets\n- Second point\n  - a sub-point\n\n- Step one\n- Step two\n\n{Prose}",
            text);
    }

    [Fact]
    public void Tables_BecomeOneRowPerLineWithPipeSeparatedCells()
    {
        var text = Extractor.Extract(Body(
            $"<article><p>{Prose}</p><table><tr><th>Year</th><th>Budget</th></tr><tr><td>2023</td><td><b>4.1</b> m</td></tr><tr><td>2024</td><td>5.0\n m</td></tr></table></article>")).Text;

        Assert.Equal($"{Prose}\n\nYear | Budget\n2023 | 4.1 m\n2024 | 5.0 m", text);
    }

    [Fact]
    public void Whitespace_IsCollapsedInsideBlocksAndBrStartsANewLineOrTwoAParagraph()
    {
        var text = Extractor.Extract(Body("<p>  Several \n\t spaces&nbsp;&nbsp;here <b>and</b><i>there</i>  </p><p>line one<br>line two</p><div>para one<br> <br>para two</div>")).Text;

        Assert.Equal("Several spaces here andthere\n\nline one\nline two\n\npara one\n\npara two", text);
    }

    [Fact]
    public void Entities_AreDecoded()
    {
        var text = Extractor.Extract(Body("<p>Fish &amp; chips &lt;3 &#8364;5 &euro;6 &#x41;&quot;</p>")).Text;

        Assert.Equal("Fish & chips <3 €5 €6 A\"", text);
    }

    [Fact]
    public void HiddenAndNonTextElements_AreDropped()
    {
        var text = Extractor.Extract(Body(
            $"<article><p>{Prose}</p><p hidden>hidden attribute</p><div style=\"display: none\">inline none</div>"
            + "<span aria-hidden=\"true\">aria hidden</span><div class=\"sr-only\">screen reader</div><script>var x = 'script';</script>"
            + "<style>p{{color:red}}</style><noscript>enable javascript</noscript><svg><text>svg text</text></svg>"
            + "<template><p>template text</p></template><button>Click me</button><select><option>opt</option></select></article>")).Text;

        Assert.Equal(Prose, text);
    }

    [Theory]
    [InlineData("<div id=\"cookie-notice\">Cookie text we must not see here at all.</div>")]
    [InlineData("<div class=\"gdpr-overlay\">Cookie text we must not see here at all.</div>")]
    [InlineData("<div class=\"consent\">Cookie text we must not see here at all.</div>")]
    [InlineData("<div aria-label=\"Cookie banner\">Cookie text we must not see here at all.</div>")]
    [InlineData("<div class=\"modal\" aria-modal=\"true\">Cookie text we must not see here at all.</div>")]
    [InlineData("<div class=\"popup\">Cookie text we must not see here at all.</div>")]
    [InlineData("<div class=\"newsletter-box\">Cookie text we must not see here at all.</div>")]
    [InlineData("<nav>Cookie text we must not see here at all.</nav>")]
    [InlineData("<aside>Cookie text we must not see here at all.</aside>")]
    [InlineData("<footer>Cookie text we must not see here at all.</footer>")]
    [InlineData("<header>Cookie text we must not see here at all.</header>")]
    [InlineData("<div role=\"navigation\">Cookie text we must not see here at all.</div>")]
    [InlineData("<div class=\"social-share\">Cookie text we must not see here at all.</div>")]
    [InlineData("<div id=\"disqus_thread\">Cookie text we must not see here at all.</div>")]
    [InlineData("<div id=\"qc-cmp2-container\">Cookie text we must not see here at all.</div>")]
    [InlineData("<div id=\"didomi-host\">Cookie text we must not see here at all.</div>")]
    public void ChromeByTagClassIdRoleOrAriaLabel_IsDropped(string chrome)
    {
        var text = Extractor.Extract(Body($"{chrome}<div><p>{Prose}</p><p>{Prose}</p></div>")).Text;

        Assert.Equal($"{Prose}\n\n{Prose}", text);
    }

    [Fact]
    public void PageHiddenUntilScriptsRun_IsStillExtracted()
    {
        var text = Extractor.Extract(Body($"<div id=\"app\" style=\"display:none\"><p>{Prose}</p><div hidden>Open menu</div><p>{Prose}</p></div>")).Text;

        Assert.Equal($"{Prose}\n\n{Prose}", text);
    }

    [Fact]
    public void ArticleInsideMain_WinsOverAnUnmarkedStoryPackageNextToIt()
    {
        const string Teaser = "A different story about the harbour that readers of this one might also enjoy reading.";
        var text = Extractor.Extract(Body(
            $"<main><article><h1>Budget</h1><p>{Prose}</p><p>{Prose}</p><p>{Prose}</p></article>"
            + $"<section class=\"package\"><div><h3><a href=\"/1\">Other story</a></h3><p>{Teaser}</p></div><div><h3><a href=\"/2\">Another</a></h3><p>{Teaser}</p></div></section></main>")).Text;

        Assert.Equal($"# Budget\n\n{Prose}\n\n{Prose}\n\n{Prose}", text);
    }

    [Fact]
    public void PostsMarkedAsArticles_AreAllKept()
    {
        var text = Extractor.Extract(Body(
            $"<main><h1>Thread</h1><article><p>First {Prose}</p></article><article><p>Second {Prose}</p></article><article><p>Third {Prose}</p></article></main>")).Text;

        ExtractionAssert.ContainsInOrder(text, "# Thread", "First ", "Second ", "Third ");
    }

    [Fact]
    public void HeaderInsideArticle_IsKeptBecauseItHoldsTheHeadline()
    {
        var text = Extractor.Extract(Body($"<header>Site name</header><article><header><h1>Headline</h1></header><p>{Prose}</p></article>")).Text;

        Assert.Equal($"# Headline\n\n{Prose}", text);
    }

    [Fact]
    public void BlocksNamedLikeHeaders_AreDroppedOnlyWhenMostlyLinks()
    {
        var text = Extractor.Extract(Body(
            "<div id=\"site-header\"><a href=\"/\">Logo</a><a href=\"/a\">About the site</a></div>"
            + $"<div class=\"content\"><div class=\"section-header\"><h2>Results</h2><span>Updated daily</span></div><p>{Prose}</p><p>{Prose}</p></div>")).Text;

        Assert.Equal($"## Results\n\nUpdated daily\n\n{Prose}\n\n{Prose}", text);
    }

    [Fact]
    public void CommentClassInsideCode_IsNotMistakenForACommentSection()
    {
        var text = Extractor.Extract(Body($"<article><p>{Prose}</p><pre><code><span class=\"hljs-comment\">// keep me</span>\nx = 1;</code></pre></article>")).Text;

        Assert.Equal($"{Prose}\n\n```\n// keep me\nx = 1;\n```", text);
    }

    [Fact]
    public void WrapperWithChromeLikeClass_IsKeptWhenItHoldsThePage()
    {
        var text = Extractor.Extract(Body($"<div class=\"layout-with-sidebar\"><div><p>{Prose}</p><p>{Prose}</p></div></div>")).Text;

        Assert.Equal($"{Prose}\n\n{Prose}", text);
    }

    [Fact]
    public void HeadlineOutsideTheWinningContainer_IsPrependedOnce()
    {
        var text = Extractor.Extract(Body(
            $"<div class=\"top\"><h1>The headline</h1><span>5 min read</span></div><div class=\"body\"><p>{Prose}</p><p>{Prose}</p><p>{Prose}</p></div>")).Text;

        Assert.StartsWith("# The headline\n\n", text, StringComparison.Ordinal);
        Assert.Equal(1, CountOf(text, "The headline"));
    }

    [Fact]
    public void Title_FallsBackToTheFirstHeadingWhenTitleIsMissing()
    {
        var page = Extractor.Extract($"<body><h1> Only   heading </h1><p>{Prose}</p></body>");

        Assert.Equal("Only heading", page.Title);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("<html></html>")]
    [InlineData("<html><body></body></html>")]
    [InlineData("<!-- just a comment -->")]
    [InlineData("<html><body><script>only();</script></body></html>")]
    public void EmptyDocuments_GiveEmptyText(string html)
    {
        var page = Extractor.Extract(html);

        Assert.Equal(string.Empty, page.Text);
        Assert.Equal(string.Empty, page.Title);
    }

    [Fact]
    public void PageWithoutParagraphs_FallsBackToTheBodyText()
    {
        var text = Extractor.Extract(Body("<div>Opening hours</div><div>Mon 9-5</div><div>Tue 9-5</div><span>Closed on Sundays</span>")).Text;

        ExtractionAssert.ContainsInOrder(text, "Opening hours", "Mon 9-5", "Tue 9-5", "Closed on Sundays");
    }

    [Fact]
    public void DataTableWithLinkedCells_StaysWithItsIntroduction()
    {
        var rows = new StringBuilder();
        for (var i = 0; i < 30; i++)
        {
            rows.Append("<tr><td><a href=\"/wiki/B").Append(i).Append("\">Tower number ").Append(i).Append("</a></td><td>").Append(300 + i).Append(" m</td></tr>");
        }

        var text = Extractor.Extract(Body(
            $"<div id=\"sidebar-menu\"><a href=\"/\">Main page</a></div><div class=\"content\"><div class=\"intro\"><p>{Prose}</p></div>"
            + $"<div class=\"table-wrapper\"><table><tr><th>Name</th><th>Height</th></tr>{rows}</table></div></div>")).Text;

        ExtractionAssert.ContainsInOrder(text, Prose, "Name | Height\n", "Tower number 0 | 300 m\n", "Tower number 29 | 329 m");
        ExtractionAssert.Lacks(text, "Main page");
    }

    [Fact]
    public void ShortLinkBarsInsideTheArticle_AreDroppedButLinkListsStay()
    {
        var text = Extractor.Extract(Body(
            $"<article><p>{Prose}</p><div class=\"topics\"><a href=\"/t/1\">Budgets</a> <a href=\"/t/2\">Councils</a></div>"
            + $"<p>{Prose}</p><h2>See also</h2><ul><li><a href=\"/1\">Municipal budget</a></li><li><a href=\"/2\">Programme evaluation</a></li></ul></article>")).Text;

        Assert.Equal($"{Prose}\n\n{Prose}\n\n## See also\n\n- Municipal budget\n- Programme evaluation", text);
    }

    [Fact]
    public void DeeplyNestedMarkup_DoesNotOverflowTheStack()
    {
        const int depth = 50_000;
        var html = new StringBuilder("<html><body>");
        html.Insert(html.Length, "<div>", depth).Append(Prose).Insert(html.Length, "</div>", depth);
        html.Insert(html.Length, "<b>", depth).Append("bold tail");

        var text = Extractor.Extract(html.ToString()).Text;

        ExtractionAssert.ContainsInOrder(text, Prose, "bold tail");
    }

    [Fact]
    public void GiantPage_IsExtractedCompletely()
    {
        const int paragraphs = 20_000;
        var html = new StringBuilder("<html><body><nav><a href=\"/\">Home</a></nav><main>");
        for (var i = 0; i < paragraphs; i++)
        {
            html.Append("<p>Paragraph ").Append(i).Append(": ").Append(Prose).Append("</p>");
        }

        var text = Extractor.Extract(html.Append("</main></body></html>").ToString()).Text;

        Assert.StartsWith("Paragraph 0: ", text, StringComparison.Ordinal);
        Assert.EndsWith($"Paragraph {paragraphs - 1}: {Prose}", text, StringComparison.Ordinal);
        Assert.Equal(paragraphs - 1, CountOf(text, "\n\n"));
    }

    [Fact]
    public void RandomTagSoup_NeverThrowsAndKeepsVisibleWordsOutOfMarkup()
    {
        string[] tokens =
        [
            "<div>", "</div>", "<p>", "</p>", "<table>", "<tr>", "<td>", "</td>", "<th>", "</table>", "<pre>", "</pre>", "<ul>", "<li>",
            "</ul>", "<a href=x>", "</a>", "<b>", "</i>", "<!--", "-->", "<script>", "</script>", "<br>", "<h1>", "</h2>", "<nav>",
            "<header>", "<td", ">", "<", "&amp;", "&#0;", "&bogus;", "\uD800", "<svg>", "<math>", "<![CDATA[", "]]>", "<template>",
            "<article>", "<main class=cookie>", "<span hidden>", "<textarea>", "<select>", "<frameset>", "\0",
            " ", "\n", "word",
        ];
        var random = new Random(42);
        for (var round = 0; round < 300; round++)
        {
            var html = new StringBuilder();
            for (var t = 0; t < random.Next(1, 80); t++)
            {
                html.Append(tokens[random.Next(tokens.Length)]);
            }

            var page = Extractor.Extract(html.ToString());
            var segments = new PageSegmenter(50).Segment(page.Text);

            Assert.DoesNotContain("<div>", page.Text, StringComparison.Ordinal);
            Assert.All(segments, s => Assert.InRange(s.Length, 1, 50));
        }
    }

    [Fact]
    public void PlainText_IsNormalised()
    {
        var page = Extractor.ExtractPlainText("  Report title  \r\n\r\n\r\n\r\nFirst line   \rsecond line\n\n\n\nlast\n\n");

        Assert.Equal("Report title", page.Title);
        Assert.Equal("  Report title\n\nFirst line\nsecond line\n\nlast", page.Text);
    }

    [Theory]
    [InlineData("text/plain; charset=utf-8", "<p>not parsed</p>", "<p>not parsed</p>")]
    [InlineData("text/html; charset=utf-8", "<p>parsed</p>", "parsed")]
    [InlineData("application/xhtml+xml", "<p>parsed</p>", "parsed")]
    [InlineData(null, "  <p>sniffed</p>", "sniffed")]
    [InlineData(null, "plain words", "plain words")]
    public void ContentType_SelectsTheHtmlOrPlainTextPath(string? contentType, string body, string expected)
    {
        Assert.Equal(expected, Extractor.Extract(body, contentType).Text);
    }

    private static int CountOf(string text, string fragment)
    {
        var count = 0;
        for (var at = text.IndexOf(fragment, StringComparison.Ordinal); at >= 0; at = text.IndexOf(fragment, at + fragment.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
