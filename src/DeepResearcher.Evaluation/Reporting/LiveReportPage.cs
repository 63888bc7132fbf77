using System.Globalization;
using System.Net;
using System.Text;

namespace DeepResearcher.Evaluation.Reporting;

/// <summary>
/// The live training view's page: the curves (reward, F1, tool calls, KL, entropy) and the newest GRPO groups,
/// drawn by its script from <c>api/live</c> (a <see cref="LiveRunFeed"/> poll) and redrawn as the run's files grow.
/// Same stylesheet as the static report; the script talks only to the server that served the page.
/// </summary>
public static class LiveReportPage
{
    public const string FeedPath = "api/live";

    /// <param name="pollMilliseconds">How often the page polls the feed.</param>
    public static string Write(string runName, int pollMilliseconds = 2000)
    {
        string name = WebUtility.HtmlEncode(runName);
        return new StringBuilder()
            .Append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'; img-src data:\">")
            .Append("<title>").Append(name).Append(" · live · DeepResearcher.NET</title><style>").Append(ReportAssets.Css).Append("</style></head>")
            .Append("<body data-poll-ms=\"").Append(pollMilliseconds.ToString(CultureInfo.InvariantCulture)).Append("\">")
            .Append("<header class=\"top\"><div class=\"brand\">DeepResearcher.NET · live training view</div><h1>").Append(name).Append("</h1><div class=\"meta\">")
            .Append("<span><b>status</b><span id=\"live-status\">connecting…</span></span><span><b>GRPO steps</b><span id=\"live-steps\">0</span></span>")
            .Append("<span><b>full report</b><a href=\"report\">report.html as of now</a></span></div>")
            .Append("<nav><a href=\"#training\">Curves</a><a href=\"#groups\">Newest groups</a></nav></header><main>")
            .Append("<section id=\"training\"><h2>Training</h2><p class=\"note\">From metrics.jsonl, one point per GRPO step, redrawn as steps are logged.</p><div class=\"charts\" id=\"live-charts\"></div></section>")
            .Append("<section id=\"groups\"><h2>Newest GRPO groups</h2><p class=\"note\">The latest groups' rollouts with the reward each earned, the group-normalised advantage it is trained with, and its loss mask: highlighted text is the policy's (mask 1), the rest (prompt, tool responses) is masked out.</p><div id=\"live-groups\"></div></section>")
            .Append("</main><script>").Append(ReportAssets.LiveScript).Append("</script></body></html>\n")
            .ToString();
    }
}
