using DeepResearcher.Web.Extraction;

namespace DeepResearcher.Web.Tests.Extraction;

/// <summary>Hand-written pages modelled on real sites: the main text survives, in order, and the chrome around it does not.</summary>
public sealed class RealisticPageTests
{
    private static readonly HtmlTextExtractor Extractor = new();

    private static ExtractedPage ExtractFile(string name) =>
        Extractor.Extract(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Extraction", "Pages", name)));

    [Fact]
    public void NewsArticle_KeepsStoryAndDropsNavCookieBannerRelatedCommentsAndFooter()
    {
        var page = ExtractFile("news-article.html");

        Assert.Equal("Harbour bridge reopens after two-year restoration | The Daily Courier", page.Title);
        ExtractionAssert.ContainsInOrder(
            page.Text,
            "# Harbour bridge reopens after two-year restoration",
            "The Harbour Bridge reopened to traffic on Thursday morning after a restoration that took two years and cost £84 million",
            "Engineers replaced more than 1,200 corroded rivets",
            "“This bridge carries forty thousand people a day, and it is now safe for another fifty years,” said the council’s chief engineer",
            "The closure forced commuters onto a ferry service",
            "## Delays and overruns",
            "The project finished four months late",
            "A public celebration with fireworks is planned for Saturday evening");
        ExtractionAssert.Lacks(
            page.Text,
            "Politics", "Technology", "Skip to content", "We use cookies", "Accept all cookies", "Share on Facebook", "Advertisement",
            "Related stories", "Ferry operator reports record passenger numbers", "About time!", "Post comment", "newsletter",
            "All rights reserved", "Privacy policy", "tracking pixel", "dataLayer", "position:fixed");
    }

    [Fact]
    public void NewsArticle_SeparatesParagraphsWithBlankLines()
    {
        var text = ExtractFile("news-article.html").Text;

        Assert.Contains("said the council's chief engineer, Priya Raman.\n\nThe closure forced".Replace('\'', '’'), text, StringComparison.Ordinal);
        Assert.DoesNotContain("\n\n\n", text, StringComparison.Ordinal);
        Assert.Equal(text.Trim(), text);
    }

    [Fact]
    public void WikiArticle_KeepsInfoboxRowsSectionsAndReferencesButNotEditLinksOrMenus()
    {
        var page = ExtractFile("wiki-article.html");

        Assert.Equal("Ada Lovelace - Wikipedia", page.Title);
        ExtractionAssert.HasLine(page.Text, "Known for | Mathematics, computing");
        ExtractionAssert.HasLine(page.Text, "Spouse | William King-Noel (m. 1835)");
        ExtractionAssert.ContainsInOrder(
            page.Text,
            "# Ada Lovelace",
            "Died | 27 November 1852 (aged 36)",
            "Augusta Ada King, Countess of Lovelace (née Byron; 10 December 1815 – 27 November 1852) was an English mathematician",
            "the first algorithm intended to be carried out by such a machine.[2]",
            "## Early life\n",
            "Lord Byron expected his child",
            "## Work\n",
            "Note G describes an algorithm for the Analytical Engine to compute Bernoulli numbers",
            "## References",
            "- ^ Toole, Betty Alexandra (1998).",
            "- ^ Fuegi, J.; Francis, J. (2003).");
        ExtractionAssert.Lacks(
            page.Text,
            "[edit]", "edit]", "Jump to navigation", "From Wikipedia, the free encyclopedia", "For the pop artist", "Contents",
            "1815 births", "Categories", "Navigation menu", "Random article", "Create account", "Difference engine",
            "This page was last edited", "Creative Commons");
    }

    [Fact]
    public void ForumThread_KeepsEveryPostInOrderAndDropsBoardChrome()
    {
        var page = ExtractFile("forum-thread.html");

        ExtractionAssert.ContainsInOrder(
            page.Text,
            "Sourdough starter smells like nail polish?",
            "My starter is about ten days old and this morning it smelled strongly of nail polish remover.\nI feed it once a day",
            "crumbcoat wrote: Is it ruined, or is this normal?",
            "Perfectly normal. That acetone smell means the yeast is hungry",
            "Try feeding it twice a day for a week",
            "Agree with oldmill. You can also switch to a stiffer starter",
            "Thanks both! Two feeds a day fixed it within four days");
        ExtractionAssert.Lacks(page.Text, "FAQ", "Register", "Board index", "Page 1 of 1", "Announcements", "Powered by", "phpBB");
    }

    [Fact]
    public void DocsPage_KeepsCodeVerbatimInFencesAndOptionsTableButNotSidebars()
    {
        var page = ExtractFile("docs-page.html");

        ExtractionAssert.ContainsInOrder(
            page.Text,
            "# Configuring retries\n",
            "Fetchly retries failed requests with exponential backoff.",
            "## Basic usage",
            "Pass a RetryPolicy to the client constructor",
            "```\nfrom fetchly import Client, RetryPolicy\n\n# retry up to five times, waiting 0.5 s, 1 s, 2 s, ...\npolicy = RetryPolicy(attempts=5, base_delay=0.5)\nclient = Client(retry=policy)\n```",
            "## Options");
        ExtractionAssert.HasLine(page.Text, "Option | Default | Description");
        ExtractionAssert.HasLine(page.Text, "attempts | 3 | Total number of attempts, including the first.");
        ExtractionAssert.HasLine(page.Text, "retry_on | (502, 503, 504) | Status codes that trigger a retry.");
        ExtractionAssert.ContainsInOrder(page.Text, "Retrying POST requests can create duplicate orders", "Combine retries with timeouts");
        ExtractionAssert.Lacks(page.Text, "Quickstart", "Proxies", "API reference", "On this page", "Was this page helpful", "Edit this page", "Copyright");
    }

    [Fact]
    public void TableOnlyPage_FallsBackToTheWholeTableAsRows()
    {
        var page = ExtractFile("table-only.html");

        Assert.Equal("Nordic capitals", page.Title);
        ExtractionAssert.ContainsInOrder(
            page.Text,
            "Capitals of the Nordic countries",
            "Country | Capital | Population\n",
            "Denmark | Copenhagen | 660,000\n",
            "Finland | Helsinki | 664,000\n",
            "Iceland | Reykjavik | 139,000\n",
            "Norway | Oslo | 709,000\n",
            "Sweden | Stockholm | 984,000\n",
            "Total |  | 3,156,000");
        ExtractionAssert.Lacks(page.Text, "About", "\n\n\n");
    }

    [Fact]
    public void DivSoupWithoutSemanticTags_IsFoundByTextDensity()
    {
        var page = ExtractFile("nested-divs.html");

        ExtractionAssert.ContainsInOrder(
            page.Text,
            "In 2007 a remotely operated vehicle filmed a female octopus",
            "\n\nResearchers returned to the same ledge eighteen times",
            "\n\nNobody saw her eat during the whole brooding period",
            "\n\nCold water slows embryonic development");
        ExtractionAssert.Lacks(page.Text, "Podcast", "Sign in", "Why squid glow in the dark", "vampire squid", "Careers", "Terms");
    }

    [Fact]
    public void MalformedHtml_WithUnclosedAndMisnestedTags_StillYieldsTheTextWithEntitiesDecoded()
    {
        var page = ExtractFile("malformed.html");

        Assert.Equal("Café opening hours & menu", page.Title);
        ExtractionAssert.ContainsInOrder(
            page.Text,
            "# Welcome to Café Renée",
            "We are open every day from 7 am until 6 pm, except on public holidays — when we close at 2 pm.",
            "Our breakfast menu is served until 11:30, and all our bread is baked on site every morning.",
            "Vegan & gluten-free options",
            "Espresso | £2.10\nFlat white | £3.20",
            "Find us at 12 Mill Lane — next to the library.");
        ExtractionAssert.Lacks(page.Text, "Contact", "&amp;", "&eacute;", "\u00a0");
    }

    [Fact]
    public void EnormousNavigation_DoesNotDrownAShortArticle()
    {
        var page = ExtractFile("enormous-nav.html");

        Assert.Equal(
            "# Our new returns policy\n\n"
            + "From 1 April you can return any item within 60 days of delivery, up from 30 days, without giving a reason.\n\n"
            + "Refunds are now paid to your original payment method within three working days of the item reaching our warehouse.\n\n"
            + "Large furniture can be collected from your home for free; just book a slot in your account.",
            page.Text);
    }

    [Fact]
    public void ConcurrentExtractions_ShareNoState()
    {
        var names = new[] { "news-article.html", "wiki-article.html", "forum-thread.html", "docs-page.html", "table-only.html", "nested-divs.html" };
        var sequential = names.Select(n => ExtractFile(n)).ToArray();

        var parallel = new ExtractedPage[names.Length * 8];
        Parallel.For(0, parallel.Length, new ParallelOptions { CancellationToken = TestContext.Current.CancellationToken }, i => parallel[i] = ExtractFile(names[i % names.Length]));

        for (var i = 0; i < parallel.Length; i++)
        {
            Assert.Equal(sequential[i % names.Length], parallel[i]);
        }
    }
}
