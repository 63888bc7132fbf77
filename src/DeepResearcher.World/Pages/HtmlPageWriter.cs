using System.Net;
using System.Text;

namespace DeepResearcher.World.Pages;

/// <summary>
/// Wraps an <see cref="Article"/> in realistic site chrome: head with scripts and styles, cookie banner, header navigation, sidebar,
/// the article inside main, a related-links aside and a footer. Extraction code has to find the content among all that.
/// </summary>
public static class HtmlPageWriter
{
    private const string Style =
        "body{font-family:sans-serif;margin:0}header,footer{background:#eee;padding:8px}.cookie-banner{position:fixed;bottom:0;background:#222;color:#fff;padding:12px}" +
        ".infobox{float:right;border:1px solid #aaa;margin:0 0 8px 8px}main{max-width:60em;padding:0 16px}aside{font-size:small}";

    private static readonly string[] NavTypes = ["countries", "cities", "people", "organisations", "works", "rivers", "mountains", "events"];

    public static string Write(Article article, SiteChrome chrome, string? canonicalPath)
    {
        var sb = new StringBuilder(4096);
        string siteName = chrome switch
        {
            SiteChrome.Mirror => "WikiMirror Archive",
            SiteChrome.FanWiki => "Fan Wiki Hub",
            SiteChrome.Forum => "Trivia Forum",
            _ => ArticleComposer.SiteName,
        };
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
        Encode(sb, article.Title);
        sb.Append(" - ").Append(siteName).Append("</title>\n");
        if (canonicalPath is not null) sb.Append("<link rel=\"canonical\" href=\"").Append(canonicalPath).Append("\">\n");
        sb.Append("<style>").Append(Style).Append("</style>\n");
        sb.Append("<script>window.analyticsQueue=window.analyticsQueue||[];function track(e){analyticsQueue.push(e)}track('pageview');</script>\n</head>\n<body>\n");
        sb.Append("<div class=\"cookie-banner\" role=\"dialog\" aria-label=\"Cookie consent\"><p>We and our partners use cookies to personalise content, measure audiences and improve our services. ")
          .Append("By clicking \"Accept all\" you agree to the storing of cookies on your device.</p><button type=\"button\">Accept all</button> <button type=\"button\">Reject non-essential</button> ")
          .Append("<a href=\"/about/cookies\">Cookie settings</a></div>\n");
        sb.Append("<header class=\"site-header\"><a class=\"logo\" href=\"/\">").Append(siteName).Append("</a>\n<nav class=\"top-nav\"><ul>");
        sb.Append("<li><a href=\"/\">Main page</a></li>");
        foreach (var t in NavTypes) sb.Append("<li><a href=\"/list/").Append(t).Append("\">").Append(char.ToUpperInvariant(t[0])).Append(t, 1, t.Length - 1).Append("</a></li>");
        sb.Append("<li><a href=\"/about\">About</a></li></ul></nav>\n");
        sb.Append("<form class=\"search\" action=\"/search\" method=\"get\"><input type=\"search\" name=\"q\" placeholder=\"Search ").Append(siteName).Append("\"><button>Search</button></form></header>\n");
        if (chrome == SiteChrome.Mirror)
        {
            sb.Append("<div class=\"notice\">This is an archived copy of an encyclopedia article. It may be out of date. Visit the original site for the current version.</div>\n");
        }
        if (chrome == SiteChrome.FanWiki)
        {
            sb.Append("<div class=\"ad\">Advertisement: join the Fan Wiki Hub community today and unlock badges!</div>\n");
        }
        sb.Append("<div class=\"layout\">\n<nav class=\"sidebar\"><h3>Tools</h3><ul><li><a href=\"/random\">Random article</a></li><li><a href=\"/help\">Help</a></li><li><a href=\"/recent-changes\">Recent changes</a></li></ul></nav>\n");
        sb.Append("<main id=\"content\">\n<article>\n<h1>");
        Encode(sb, article.Title);
        sb.Append("</h1>\n");
        if (article.Tagline is not null)
        {
            sb.Append("<p class=\"tagline\">");
            Encode(sb, article.Tagline);
            sb.Append("</p>\n");
        }
        if (article.Infobox.Count > 0)
        {
            sb.Append("<table class=\"infobox\"><caption>");
            Encode(sb, article.Title);
            sb.Append("</caption>\n");
            foreach (var (label, value) in article.Infobox)
            {
                sb.Append("<tr><th scope=\"row\">");
                Encode(sb, label);
                sb.Append("</th><td>");
                WriteInline(sb, value);
                sb.Append("</td></tr>\n");
            }
            sb.Append("</table>\n");
        }
        bool inList = false;
        foreach (var block in article.Blocks)
        {
            if (block.Kind == BlockKind.ListItem && !inList)
            {
                sb.Append("<ul>\n");
                inList = true;
            }
            else if (block.Kind != BlockKind.ListItem && inList)
            {
                sb.Append("</ul>\n");
                inList = false;
            }
            sb.Append(block.Kind switch { BlockKind.Heading => "<h2>", BlockKind.ListItem => "<li>", _ => "<p>" });
            foreach (var inline in block.Inlines) WriteInline(sb, inline);
            sb.Append(block.Kind switch { BlockKind.Heading => "</h2>\n", BlockKind.ListItem => "</li>\n", _ => "</p>\n" });
        }
        if (inList) sb.Append("</ul>\n");
        if (article.SeeAlso.Count > 0)
        {
            sb.Append("<h2>See also</h2>\n<ul class=\"see-also\">\n");
            foreach (var link in article.SeeAlso)
            {
                sb.Append("<li>");
                WriteInline(sb, link);
                sb.Append("</li>\n");
            }
            sb.Append("</ul>\n");
        }
        sb.Append("</article>\n</main>\n");
        sb.Append("<aside class=\"related-links\"><h2>Related links</h2><ul><li><a href=\"/\">Main page</a></li><li><a href=\"/list/people\">Famous people</a></li>")
          .Append("<li><a href=\"/list/cities\">Cities of the world</a></li><li><a href=\"/about/contribute\">How to contribute</a></li></ul></aside>\n</div>\n");
        sb.Append("<footer class=\"site-footer\"><ul><li><a href=\"/about\">About ").Append(siteName).Append("</a></li><li><a href=\"/about/privacy\">Privacy policy</a></li>")
          .Append("<li><a href=\"/about/terms\">Terms of use</a></li><li><a href=\"/about/contact\">Contact us</a></li></ul>")
          .Append("<p>Text is available under a free licence; additional terms may apply. All names in this encyclopedia are fictional.</p></footer>\n");
        sb.Append("<script>document.querySelector('.cookie-banner button').addEventListener('click',function(){this.parentNode.remove()});</script>\n</body>\n</html>\n");
        return sb.ToString();
    }

    /// <summary>A plain error page for 404 and 500 answers.</summary>
    public static string WriteError(int status, string path)
    {
        string title = status == 404 ? "Page not found" : "Internal server error";
        string body = status == 404
            ? "The page you requested does not exist or has been removed."
            : "The server encountered an error and could not complete your request. Please try again later.";
        var sb = new StringBuilder(512);
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Error ").Append(status).Append(": ").Append(title)
          .Append("</title></head>\n<body><h1>").Append(title).Append("</h1><p>").Append(body).Append("</p><p>Requested path: <code>");
        Encode(sb, path);
        sb.Append("</code></p><p><a href=\"/\">Return to the main page</a></p></body></html>\n");
        return sb.ToString();
    }

    private static void WriteInline(StringBuilder sb, Inline inline)
    {
        if (inline.Href is null)
        {
            Encode(sb, inline.Text);
            return;
        }
        sb.Append("<a href=\"");
        Encode(sb, inline.Href);
        sb.Append("\">");
        Encode(sb, inline.Text);
        sb.Append("</a>");
    }

    private static void Encode(StringBuilder sb, string text)
    {
        if (text.AsSpan().IndexOfAny("<>&\"'") < 0)
        {
            sb.Append(text);
            return;
        }
        sb.Append(WebUtility.HtmlEncode(text));
    }
}
