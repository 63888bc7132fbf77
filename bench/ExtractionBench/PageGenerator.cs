using System.Globalization;
using System.Net;
using System.Text;

namespace ExtractionBench;

/// <summary>
/// Seeded generator of realistic pages: seven layouts seen on the web (semantic news, React-style div soup, wiki with
/// infobox, WordPress blog, phpBB forum, legacy table layout, Q&amp;A site), each with header, navigation, consent banner, share bars,
/// related links, comments, footer and the script/style weight of real pages around a main text it records sentence by sentence.
/// </summary>
internal sealed class PageGenerator(int seed)
{
    private static readonly string[] Layouts = ["news", "divsoup", "wiki", "blog", "forum", "tables", "qa"];

    private static readonly string[] Places = ["Northfield", "Lakeside", "Port Elwin", "Brackwater", "Ashford", "Kelmscott", "Varnby", "Oldhaven", "Rivington", "Marlow Bay"];
    private static readonly string[] Actors =
    [
        "The city council", "Researchers at the University of {P}", "A spokesperson for the {P} water authority", "The regional transport board",
        "Local residents", "Engineers working on the project", "The company's chief executive", "Analysts at {P} Capital",
        "Officials in {P}", "Doctors at {P} General Hospital", "The national weather service", "Teachers' unions in {P}",
    ];
    private static readonly string[] Verbs = ["announced", "reported", "confirmed", "estimated", "warned", "argued", "found", "said", "insisted", "revealed"];
    private static readonly string[] Things =
    [
        "the new bridge", "the flood barrier", "the hospital extension", "the school meals programme", "the tram line", "the solar farm",
        "the harbour dredging", "the library refurbishment", "the broadband rollout", "the recycling scheme", "the wind turbines", "the bus network",
    ];
    private static readonly string[] Clauses =
    [
        "{T} would cost {M} and take {N} months longer than planned",
        "{T} had cut waiting times by {N} percent since {Y}",
        "demand for {T} rose by {N} percent in the last quarter",
        "{T} could open to the public as early as {D}",
        "nearly {K} households in {P} would benefit from {T}",
        "the contract for {T} was awarded to a firm from {P} for {M}",
        "{T} survived a storm with winds of {N} kilometres per hour",
        "the budget for {T} & its maintenance was {M} over {N} years",
        "inspectors found {N} \"serious\" defects in {T} during {D}",
        "{T} used {N} tonnes of recycled steel sourced near {P}",
    ];
    private static readonly string[] Months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
    private static readonly string[] NavLabels = ["Home", "World", "Politics", "Business", "Technology", "Science", "Health", "Sport", "Culture", "Travel", "Opinion", "Video", "Podcasts", "Weather", "Local", "Lifestyle"];
    private static readonly string[] CookieTexts =
    [
        "We use cookies and similar technologies to personalise content and ads and to analyse our traffic.",
        "This website uses cookies to ensure you get the best experience on our website and to measure audiences.",
        "We and our 842 partners store and access information on your device to provide personalised advertising.",
    ];
    private static readonly string[] CookieNames = ["cookie-banner", "cc-window cc-banner", "consent-popup", "gdpr-notice", "onetrust-banner-sdk", "cmp-container"];

    private readonly Random _random = new(seed);
    private int _uniqueNumber;

    public GeneratedPage Generate(int index)
    {
        var layout = Layouts[index % Layouts.Length];
        var page = new PageBuilder();
        var title = Headline();
        switch (layout)
        {
            case "news": News(page, title); break;
            case "divsoup": DivSoup(page, title); break;
            case "wiki": Wiki(page, title); break;
            case "blog": Blog(page, title); break;
            case "forum": Forum(page, title); break;
            case "qa": QuestionAndAnswers(page, title); break;
            default: Tables(page, title); break;
        }

        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").Append(Encode(title)).Append(" | ").Append(Encode(Pick(Places))).Append(" Chronicle</title>\n");
        html.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        Styles(html);
        Script(html, 2_000 + _random.Next(30_000));
        html.Append("</head>\n<body class=\"").Append(layout).Append("-page has-sidebar\">\n");
        html.Append(page.Body);
        Script(html, 1_000 + _random.Next(15_000));
        html.Append("</body>\n</html>\n");
        return new GeneratedPage($"page-{index:D4}.html", layout, html.ToString(), page.Main, page.Boilerplate);
    }

    private void News(PageBuilder page, string title)
    {
        var b = page.Body;
        b.Append("<a class=\"skip-link\" href=\"#main\">Skip to content</a>\n<header class=\"site-header\"><div class=\"logo\"><a href=\"/\">").Append(Icon()).Append("Chronicle</a></div>\n");
        NavList(b, "<nav class=\"primary-nav\" aria-label=\"Main\">", "</nav>", 8 + _random.Next(8));
        b.Append("</header>\n");
        CookieBanner(page);
        b.Append("<main id=\"main\"><article class=\"story\">\n<h1>").Append(Encode(title)).Append("</h1>\n");
        b.Append("<p class=\"byline\">By <a href=\"/authors/1\">").Append(Person()).Append("</a> &middot; ").Append(Date()).Append("</p>\n");
        ShareBar(b);
        b.Append("<figure><img src=\"/img/lead.jpg\" srcset=\"/img/lead-480.jpg 480w, /img/lead-960.jpg 960w\" alt=\"\"><figcaption>Photograph: agency</figcaption></figure>\n");
        var sections = 1 + _random.Next(3);
        for (var section = 0; section < sections; section++)
        {
            if (section > 0)
            {
                b.Append("<div class=\"inline-promo\"><a href=\"/read/").Append(section).Append("\">Read more: ").Append(Encode(Headline())).Append("</a></div>\n");
            }

            b.Append("<div class=\"article-body__section\">\n");
            Prose(page, "p", ShortOrLong(), "h2");
            b.Append("</div>\n");
        }

        b.Append("<div class=\"tags\"><a href=\"/t/1\">Infrastructure</a> <a href=\"/t/2\">").Append(Pick(Places)).Append("</a></div>\n</article>\n");
        Comments(page, "<section id=\"comments\" class=\"comments-area\"><h3>Comments</h3>", "</section>", "<div class=\"comment\"><span class=\"author\">{A}</span><p>{S}</p></div>");
        if (_random.Next(2) == 0)
        {
            // A story package: teasers with a prose line each, in a container whose class names give nothing away.
            b.Append("<section class=\"story-package\"><h2>More on this story</h2>");
            for (var i = 0; i < 3 + _random.Next(3); i++)
            {
                var teaser = Sentence();
                page.Boilerplate.Add(teaser);
                b.Append("<div class=\"package-item\"><h3><a href=\"/story/p").Append(i).Append("\">").Append(Encode(Headline())).Append("</a></h3><p>").Append(Encode(teaser)).Append("</p></div>");
            }

            b.Append("</section>\n");
        }

        b.Append("</main>\n<aside class=\"sidebar\">\n");
        Related(page, "<div class=\"related-articles\"><h3>Related stories</h3><ul>", "</ul></div>", "<li><a href=\"/story/{N}\">{S}</a></li>");
        Newsletter(page);
        b.Append("</aside>\n");
        Footer(page, "<footer class=\"site-footer\">", "</footer>");
    }

    private void DivSoup(PageBuilder page, string title)
    {
        var b = page.Body;
        b.Append("<div id=\"__next\"><div class=\"").Append(Css()).Append("\">\n<div class=\"").Append(Css()).Append("\"><div class=\"").Append(Css()).Append("\"><a href=\"/\">Chronicle</a></div><div class=\"").Append(Css()).Append("\">");
        for (var i = 0; i < 6 + _random.Next(10); i++)
        {
            b.Append("<a class=\"").Append(Css()).Append("\" href=\"/s/").Append(i).Append("\">").Append(NavLabels[i % NavLabels.Length]).Append("</a>");
        }

        b.Append("</div></div>\n");
        var cookie = Pick(CookieTexts);
        page.Boilerplate.Add(cookie);
        b.Append("<div id=\"onetrust-consent-sdk\"><div class=\"").Append(Css()).Append("\"><div>").Append(Encode(cookie)).Append("</div><button>Accept</button></div></div>\n");
        b.Append("<div class=\"").Append(Css()).Append("\"><div class=\"").Append(Css()).Append("\"><div class=\"").Append(Css()).Append("\">").Append(Encode(title)).Append("</div>\n");
        b.Append("<div class=\"").Append(Css()).Append("\"><span>").Append(Person()).Append("</span><span>").Append(Date()).Append("</span></div>\n");
        Prose(page, "div", 6 + _random.Next(20), null, wrap: () => $"<div class=\"{Css()}\"><div class=\"{Css()}\">", unwrap: "</div></div>");
        b.Append("</div></div>\n<div class=\"").Append(Css()).Append("\">");
        Related(page, "<div>", "</div>", "<div class=\"" + Css() + "\"><a href=\"/s/{N}\">{S}</a></div>");
        b.Append("</div>\n");
        Footer(page, "<div class=\"" + Css() + "\">", "</div>");
        b.Append("</div></div>\n");
    }

    private void Wiki(PageBuilder page, string title)
    {
        var b = page.Body;
        b.Append("<div id=\"mw-page-base\" class=\"noprint\"></div>\n<div id=\"content\" class=\"mw-body\" role=\"main\">\n<h1 id=\"firstHeading\">").Append(Encode(title)).Append("</h1>\n");
        b.Append("<div id=\"bodyContent\"><div id=\"siteSub\" class=\"noprint\">From the free encyclopedia</div><a class=\"mw-jump-link\" href=\"#mw-head\">Jump to navigation</a>\n");
        b.Append("<div id=\"mw-content-text\"><div class=\"mw-parser-output\">\n<table class=\"infobox\"><tbody>\n");
        for (var i = 0; i < 5 + _random.Next(8); i++)
        {
            b.Append("<tr><th scope=\"row\" class=\"infobox-label\">").Append(Pick(["Location", "Opened", "Cost", "Length", "Owner", "Operator", "Type"])).Append("</th><td class=\"infobox-data\">").Append(Pick(Places)).Append("<br>").Append(Number()).Append("</td></tr>\n");
        }

        b.Append("</tbody></table>\n");
        Prose(page, "p", 6 + _random.Next(20), "h2", heading: h => $"<h2><span class=\"mw-headline\">{h}</span><span class=\"mw-editsection\">[<a href=\"/edit\">edit</a>]</span></h2>");
        b.Append("<h2>References</h2><ol class=\"references\">");
        for (var i = 0; i < 3 + _random.Next(6); i++)
        {
            b.Append("<li><a href=\"#r\">^</a> <span class=\"reference-text\">").Append(Person()).Append(" (").Append(2000 + _random.Next(24)).Append("). <i>").Append(Encode(Headline())).Append("</i>.</span></li>");
        }

        b.Append("</ol>\n<div role=\"navigation\" class=\"navbox\"><table><tr><th>See also</th><td>");
        for (var i = 0; i < 12; i++)
        {
            b.Append("<a href=\"/w/").Append(i).Append("\">").Append(Pick(Places)).Append("</a> &middot; ");
        }

        b.Append("</td></tr></table></div>\n</div></div>\n<div id=\"catlinks\" class=\"catlinks\"><a href=\"/c\">Categories</a>: <ul><li><a href=\"/c/1\">Buildings in ").Append(Pick(Places)).Append("</a></li></ul></div>\n</div></div>\n");
        b.Append("<div id=\"mw-navigation\"><h2>Navigation menu</h2>");
        NavList(b, "<div id=\"mw-panel\"><div class=\"portal\" role=\"navigation\">", "</div></div>", 10);
        b.Append("</div>\n");
        Footer(page, "<div id=\"footer\" role=\"contentinfo\">", "</div>");
    }

    private void Blog(PageBuilder page, string title)
    {
        var b = page.Body;
        b.Append("<div id=\"page\" class=\"site\">\n<header id=\"masthead\" class=\"site-header\"><p class=\"site-title\"><a href=\"/\">A ").Append(Pick(Places)).Append(" Notebook</a></p>\n");
        NavList(b, "<nav id=\"site-navigation\" class=\"main-navigation\">", "</nav>", 5 + _random.Next(6));
        b.Append("</header>\n");
        CookieBanner(page);
        b.Append("<div id=\"content\" class=\"site-content\"><div id=\"primary\" class=\"content-area\"><main id=\"main\" class=\"site-main\">\n");
        b.Append("<article class=\"post type-post status-publish has-post-thumbnail\"><header class=\"entry-header\"><h1 class=\"entry-title\">").Append(Encode(title)).Append("</h1><div class=\"entry-meta\"><span class=\"posted-on\">").Append(Date()).Append("</span></div></header>\n<div class=\"entry-content\">\n");
        Prose(page, "p", ShortOrLong(), "h3");
        b.Append("</div>\n<footer class=\"entry-footer\"><span class=\"cat-links\">Posted in <a href=\"/c\">Notes</a></span></footer></article>\n");
        Comments(page, "<div id=\"comments\" class=\"comments-area\"><ol class=\"comment-list\">", "</ol></div>", "<li class=\"comment\"><article class=\"comment-body\"><footer class=\"comment-meta\">{A}</footer><div class=\"comment-content\"><p>{S}</p></div></article></li>");
        b.Append("</main></div>\n<aside id=\"secondary\" class=\"widget-area\">\n");
        Related(page, "<section class=\"widget widget_recent_entries\"><h2 class=\"widget-title\">Recent Posts</h2><ul>", "</ul></section>", "<li><a href=\"/p/{N}\">{S}</a></li>");
        var about = "About this blog: " + Sentence();
        page.Boilerplate.Add(about);
        b.Append("<section class=\"widget widget_text\"><div class=\"textwidget\"><p>").Append(Encode(about)).Append("</p></div></section>\n</aside></div>\n");
        Footer(page, "<footer id=\"colophon\" class=\"site-footer\"><div class=\"site-info\">", "</div></footer>");
        b.Append("</div>\n");
    }

    private void Forum(PageBuilder page, string title)
    {
        var b = page.Body;
        b.Append("<div id=\"wrap\"><div id=\"page-header\"><div class=\"headerbar\" role=\"banner\"><a class=\"logo\" href=\"/\">Chronicle Forums</a></div>\n");
        NavList(b, "<div class=\"navbar\" role=\"navigation\">", "</div>", 6);
        b.Append("</div>\n<div id=\"page-body\" class=\"page-body\">\n<h2 class=\"topic-title\"><a href=\"/t\">").Append(Encode(title)).Append("</a></h2>\n<div class=\"action-bar\"><a class=\"button\" href=\"/reply\">Post Reply</a><div class=\"pagination\">").Append(_random.Next(3, 30)).Append(" posts</div></div>\n");
        for (var post = 0; post < 3 + _random.Next(10); post++)
        {
            b.Append("<div id=\"p").Append(post).Append("\" class=\"post bg").Append(1 + (post % 2)).Append("\"><div class=\"inner\"><dl class=\"postprofile\"><dt><a class=\"username\" href=\"/u\">").Append(Handle()).Append("</a></dt><dd><strong>Posts:</strong> ").Append(_random.Next(1, 5000)).Append("</dd></dl>\n<div class=\"postbody\"><h3><a href=\"#p").Append(post).Append("\">Re: ").Append(Encode(title)).Append("</a></h3><p class=\"author\">by <strong>").Append(Handle()).Append("</strong> &raquo; ").Append(Date()).Append("</p><div class=\"content\">");
            for (var s = 0; s < 1 + _random.Next(5); s++)
            {
                AppendSentence(page, s > 0 && _random.Next(3) == 0 ? "<br><br>" : " ");
            }

            b.Append("</div></div></div></div>\n");
        }

        b.Append("</div>\n");
        Footer(page, "<div id=\"page-footer\" class=\"page-footer\" role=\"contentinfo\">", "</div>");
        b.Append("</div>\n");
    }

    private void Tables(PageBuilder page, string title)
    {
        var b = page.Body;
        b.Append("<table width=\"100%\" border=\"0\" cellpadding=\"4\"><tr><td colspan=\"2\" bgcolor=\"#003366\"><font color=\"white\" size=\"5\">").Append(Pick(Places)).Append(" Gazette</font></td></tr>\n<tr><td valign=\"top\" width=\"160\" bgcolor=\"#eeeeee\">");
        for (var i = 0; i < 8 + _random.Next(12); i++)
        {
            b.Append("<a href=\"/s/").Append(i).Append("\">").Append(NavLabels[i % NavLabels.Length]).Append("</a><br>\n");
        }

        b.Append("</td><td valign=\"top\">\n<h1>").Append(Encode(title)).Append("</h1>\n<font face=\"Verdana\" size=\"2\">\n");
        Prose(page, "p", 5 + _random.Next(16), "h3");
        b.Append("</font></td></tr>\n<tr><td colspan=\"2\"><center>");
        Footer(page, "<div class=\"bottom\">", "</div>");
        b.Append("</center></td></tr></table>\n");
    }

    /// <summary>A quarter of articles are short (one to three paragraphs), the rest long.</summary>
    private int ShortOrLong() => _random.Next(4) switch
    {
        0 => 1 + _random.Next(3),
        _ => 5 + _random.Next(16),
    };

    private void QuestionAndAnswers(PageBuilder page, string title)
    {
        var b = page.Body;
        b.Append("<header class=\"s-topbar\"><a class=\"s-topbar--logo\" href=\"/\">Stack Chronicle</a>");
        NavList(b, "<ol class=\"s-topbar--content\" role=\"menubar\">", "</ol>", 5, ["About", "Products", "For Teams", "Log in", "Sign up"]);
        b.Append("</header>\n<div class=\"container\"><div id=\"left-sidebar\" class=\"left-sidebar\">");
        NavList(b, "<nav role=\"navigation\">", "</nav>", 6, ["Home", "Questions", "Tags", "Users", "Companies", "Collectives"]);
        b.Append("</div>\n<div id=\"content\"><div id=\"question-header\"><h1 itemprop=\"name\"><a href=\"/q/1\" class=\"question-hyperlink\">").Append(Encode(title)).Append("</a></h1></div>\n<div id=\"mainbar\" role=\"main\">\n");
        for (var post = 0; post < 2 + _random.Next(5); post++)
        {
            b.Append(post == 0 ? "<div class=\"question\" id=\"question\">" : "<div class=\"answer\" id=\"answer-" + post + "\">");
            b.Append("<div class=\"votecell\"><button>Up vote</button><div class=\"js-vote-count\">").Append(_random.Next(-3, 400)).Append("</div><button>Down vote</button></div>\n<div class=\"postcell\"><div class=\"s-prose js-post-body\" itemprop=\"text\">\n");
            for (var p = 0; p < 1 + _random.Next(4); p++)
            {
                b.Append("<p>");
                for (var s = 0; s < 1 + _random.Next(3); s++)
                {
                    AppendSentence(page, " ");
                }

                b.Append("</p>\n");
            }

            b.Append("</div>\n<div class=\"post-signature\"><a href=\"/u/1\">").Append(Handle()).Append("</a> <span class=\"reputation-score\">").Append(Number()).Append("</span></div></div>\n");
            Comments(page, "<div class=\"comments js-comments-container\"><ul class=\"comments-list\">", "</ul></div>", "<li class=\"comment\"><div class=\"comment-body\"><span class=\"comment-copy\">{S}</span> &ndash; <a class=\"comment-user\">{A}</a></div></li>");
            b.Append("</div>\n");
        }

        b.Append("</div>\n<div id=\"sidebar\">");
        Related(page, "<div class=\"module sidebar-related\"><h4>Related</h4>", "</div>", "<div class=\"spacer\"><a href=\"/q/{N}\" class=\"question-hyperlink\">{S}</a></div>");
        Related(page, "<div id=\"hot-network-questions\" class=\"module tex2jax_ignore\"><h4>Hot Network Questions</h4><ul>", "</ul></div>", "<li><a href=\"/hnq/{N}\">{S}</a></li>");
        b.Append("</div></div></div>\n");
        Footer(page, "<footer id=\"footer\" class=\"site-footer\">", "</footer>");
    }

    private void Prose(PageBuilder page, string tag, int paragraphs, string? headingTag, Func<string, string>? heading = null, Func<string>? wrap = null, string? unwrap = null)
    {
        var b = page.Body;
        for (var p = 0; p < paragraphs; p++)
        {
            if (headingTag is not null && p > 0 && _random.Next(5) == 0)
            {
                var text = Encode(Headline());
                b.Append(heading is null ? $"<{headingTag}>{text}</{headingTag}>" : heading(text)).Append('\n');
            }

            if (p > 2 && _random.Next(8) == 0)
            {
                b.Append("<ul>");
                for (var i = 0; i < 2 + _random.Next(4); i++)
                {
                    b.Append("<li>");
                    AppendSentence(page, string.Empty);
                    b.Append("</li>");
                }

                b.Append("</ul>\n");
                continue;
            }

            b.Append(wrap is null ? $"<{tag}>" : wrap());
            for (var s = 0; s < 2 + _random.Next(4); s++)
            {
                AppendSentence(page, " ");
            }

            b.Append(wrap is null ? $"</{tag}>" : unwrap).Append('\n');
            if (p == paragraphs / 2 && _random.Next(2) == 0)
            {
                b.Append("<div class=\"ad-slot\" data-slot=\"mid-article\"><span>Advertisement</span></div>\n");
            }
        }
    }

    /// <summary>Appends one main-text sentence, sometimes with a link or emphasis inside, and records its plain text.</summary>
    private void AppendSentence(PageBuilder page, string separator)
    {
        var sentence = Sentence();
        page.Main.Add(sentence);
        page.Body.Append(separator);
        var words = sentence.Split(' ');
        var marked = _random.Next(3) == 0 ? _random.Next(words.Length - 1) : -1;
        for (var w = 0; w < words.Length; w++)
        {
            if (w > 0)
            {
                page.Body.Append(' ');
            }

            var word = Encode(words[w]);
            page.Body.Append(w != marked ? word : _random.Next(2) == 0 ? $"<a href=\"/topic/{w}\">{word}</a>" : $"<em>{word}</em>");
        }
    }

    private void CookieBanner(PageBuilder page)
    {
        var text = Pick(CookieTexts);
        page.Boilerplate.Add(text);
        var name = Pick(CookieNames);
        page.Body.Append("<div id=\"").Append(name.Split(' ')[0]).Append("\" class=\"").Append(name).Append("\" role=\"dialog\" aria-label=\"Cookie consent\"><p>")
            .Append(Encode(text)).Append("</p><button>Accept all</button><button>Reject</button><a href=\"/privacy\">Manage options</a></div>\n");
    }

    private void ShareBar(StringBuilder b)
    {
        b.Append("<div class=\"share-tools\">");
        foreach (var network in new[] { "Facebook", "X", "LinkedIn", "WhatsApp" })
        {
            b.Append("<a href=\"https://share.example/").Append(network).Append("\">").Append(Icon()).Append("Share on ").Append(network).Append("</a>");
        }

        b.Append("</div>\n");
    }

    private void Comments(PageBuilder page, string open, string close, string item)
    {
        page.Body.Append(open);
        for (var i = 0; i < 2 + _random.Next(7); i++)
        {
            var sentence = "Commenter says: " + Sentence();
            page.Boilerplate.Add(sentence);
            page.Body.Append(item.Replace("{A}", Handle(), StringComparison.Ordinal).Replace("{S}", Encode(sentence), StringComparison.Ordinal));
        }

        page.Body.Append(close).Append('\n');
    }

    private void Related(PageBuilder page, string open, string close, string item)
    {
        page.Body.Append(open);
        for (var i = 0; i < 4 + _random.Next(8); i++)
        {
            var headline = Headline();
            page.Boilerplate.Add(headline);
            page.Body.Append(item.Replace("{N}", i.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal).Replace("{S}", Encode(headline), StringComparison.Ordinal));
        }

        page.Body.Append(close).Append('\n');
    }

    private void Newsletter(PageBuilder page)
    {
        var pitch = "Sign up to the " + Pick(Places) + " briefing and get the stories that matter in your inbox every morning.";
        page.Boilerplate.Add(pitch);
        page.Body.Append("<div class=\"newsletter-signup\"><h3>Newsletter</h3><p>").Append(Encode(pitch)).Append("</p><form action=\"/subscribe\"><input type=\"email\" name=\"e\"><button>Subscribe</button></form></div>\n");
    }

    private void Footer(PageBuilder page, string open, string close)
    {
        var copyright = $"Copyright {2010 + _random.Next(15)} {Pick(Places)} Media Group Ltd. All rights reserved.";
        page.Boilerplate.Add(copyright);
        page.Body.Append(open);
        NavList(page.Body, "<ul class=\"footer-links\">", "</ul>", 6, ["About us", "Contact", "Careers", "Privacy policy", "Terms of use", "Advertise", "Accessibility"]);
        page.Body.Append("<p>").Append(Encode(copyright)).Append("</p>").Append(close).Append('\n');
    }

    private void NavList(StringBuilder b, string open, string close, int count, string[]? labels = null)
    {
        labels ??= NavLabels;
        var list = !open.Contains("<ul", StringComparison.Ordinal);
        b.Append(open).Append(list ? "<ul>" : string.Empty);
        for (var i = 0; i < count; i++)
        {
            b.Append("<li class=\"menu-item\"><a href=\"/").Append(i).Append("\" data-track=\"nav-").Append(i).Append("\">").Append(labels[i % labels.Length]).Append("</a></li>");
        }

        b.Append(list ? "</ul>" : string.Empty).Append(close).Append('\n');
    }

    private void Styles(StringBuilder html)
    {
        html.Append("<style>\n");
        for (var i = 0; i < 40 + _random.Next(200); i++)
        {
            html.Append('.').Append(Css()).Append("{margin:").Append(_random.Next(40)).Append("px;color:#").Append(_random.Next(0x1000000).ToString("x6", CultureInfo.InvariantCulture)).Append(";display:flex}\n");
        }

        html.Append("</style>\n");
    }

    private void Script(StringBuilder html, int length)
    {
        html.Append("<script>window.__STATE__ = {\"items\":[");
        var start = html.Length;
        while (html.Length - start < length)
        {
            html.Append("{\"id\":").Append(_random.Next()).Append(",\"slug\":\"").Append(Css()).Append("\",\"html\":\"<p>").Append(Pick(Places)).Append("</p>\"},");
        }

        html.Append("{}]};</script>\n");
    }

    private string Sentence()
    {
        var clause = Fill(Pick(Clauses));
        var sentence = $"{Fill(Pick(Actors))} {Pick(Verbs)} that {clause}";
        return sentence + (_random.Next(4) == 0 ? $", according to report {++_uniqueNumber}." : $" (ref. {++_uniqueNumber}).");
    }

    private string Headline() => $"{Capitalise(Pick(Things))} in {Pick(Places)}: {Pick(["what we know", "a timeline", "questions remain", "costs rise again", "plans approved", "five key facts"])} {++_uniqueNumber}";

    private string Fill(string template) => template
        .Replace("{P}", Pick(Places), StringComparison.Ordinal)
        .Replace("{T}", Pick(Things), StringComparison.Ordinal)
        .Replace("{M}", $"{_random.Next(2, 900)}.{_random.Next(10)} million euros", StringComparison.Ordinal)
        .Replace("{N}", _random.Next(2, 99).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("{K}", _random.Next(1_000, 90_000).ToString("N0", CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("{Y}", (1990 + _random.Next(34)).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("{D}", $"{Pick(Months)} {2025 + _random.Next(4)}", StringComparison.Ordinal);

    private static string Capitalise(string text) => char.ToUpperInvariant(text[0]) + text[1..];

    private static string Encode(string text) => WebUtility.HtmlEncode(text);

    private string Person() => $"{Pick(["Mara", "Jon", "Priya", "Tomas", "Aiko", "Lena", "Omar", "Ruth"])} {Pick(["Lind", "Okafor", "Raman", "Novak", "Sato", "Berg", "Haddad", "Quinn"])}";

    private string Handle() => $"{Pick(["river", "crumb", "old", "night", "blue", "iron"])}{Pick(["watcher", "coat", "mill", "owl", "fox", "smith"])}{_random.Next(100)}";

    private string Date() => $"{1 + _random.Next(28)} {Pick(Months)} {2020 + _random.Next(5)}";

    private string Number() => _random.Next(1, 10_000).ToString("N0", CultureInfo.InvariantCulture);

    private string Css() => "css-" + _random.Next(0x1000000).ToString("x6", CultureInfo.InvariantCulture);

    private string Icon() => $"<svg class=\"icon\" viewBox=\"0 0 24 24\" aria-hidden=\"true\"><path d=\"M{_random.Next(24)} {_random.Next(24)}L12 2l10 10-10 10z\"/></svg>";

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    private sealed class PageBuilder
    {
        public StringBuilder Body { get; } = new();

        public List<string> Main { get; } = [];

        public List<string> Boilerplate { get; } = [];
    }
}
