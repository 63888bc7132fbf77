using System.Net;
using System.Text;
using DeepResearcher.World.Search;

namespace DeepResearcher.World.Serving;

/// <summary>The human-facing HTML results page behind the site's search box (GET /search?q=…).</summary>
public static class SearchResultsPage
{
    public static string Render(WorldSearchIndex index, string query)
    {
        var sb = new StringBuilder(4096);
        string q = WebUtility.HtmlEncode(query);
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Search: ").Append(q).Append("</title></head>\n<body>\n<main><h1>Search results</h1>\n");
        sb.Append("<form action=\"/search\" method=\"get\"><input type=\"search\" name=\"q\" value=\"").Append(q).Append("\"><button>Search</button></form>\n<ol>\n");
        foreach (var r in index.Search(query, 10))
        {
            sb.Append("<li><a href=\"").Append(WebUtility.HtmlEncode(r.Url)).Append("\">").Append(WebUtility.HtmlEncode(r.Title)).Append("</a><p>")
              .Append(WebUtility.HtmlEncode(r.Snippet)).Append("</p></li>\n");
        }
        sb.Append("</ol></main>\n</body></html>\n");
        return sb.ToString();
    }
}
