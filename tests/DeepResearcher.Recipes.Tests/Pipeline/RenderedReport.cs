using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace DeepResearcher.Recipes.Tests.Pipeline;

/// <summary>What a reader of a training run's report.html sees: the behaviour table's total row and the viewer's per-question tool counts.</summary>
public sealed partial class RenderedReport(string html)
{
    public string Html { get; } = html;

    public static RenderedReport Read(string runDirectory) => new(File.ReadAllText(Path.Combine(runDirectory, "report.html")));

    /// <summary>The behaviour table's "overall" row: trajectories analysed, searches and browses per trajectory.</summary>
    public (int Count, double Searches, double Browses) BehaviourOverall()
    {
        Match row = BehaviourTotalRow().Match(Html);
        Assert.True(row.Success, "report.html has no behaviour table total row");
        return (int.Parse(row.Groups[1].Value, CultureInfo.InvariantCulture),
                double.Parse(row.Groups[2].Value, CultureInfo.InvariantCulture),
                double.Parse(row.Groups[3].Value, CultureInfo.InvariantCulture));
    }

    /// <summary>The trajectory viewer's rows: (searches, browses) per result, 0 where the page would show none.</summary>
    public IReadOnlyList<(int Searches, int Browses)> ViewerToolCounts()
    {
        Match script = RunData().Match(Html);
        Assert.True(script.Success, "report.html has no run-data script");
        JsonArray questions = JsonNode.Parse(script.Groups[1].Value)!["questions"]!.AsArray();
        return [.. questions.Select(q => (q!["searches"]?.GetValue<int>() ?? 0, q["browses"]?.GetValue<int>() ?? 0))];
    }

    /// <summary>The training section's comparison table: each stage's cells by metric (set_f1, f1, em, protocol_error_rate, answer_rate, tool_calls), as printed.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> StageRows()
    {
        Match table = StageTable().Match(Html);
        Assert.True(table.Success, "report.html has no stage comparison table");
        var rows = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
        foreach (Match row in StageRow().Matches(table.Groups[1].Value))
        {
            rows[row.Groups[1].Value] = StageCell().Matches(row.Groups[2].Value).ToDictionary(c => c.Groups[1].Value, c => c.Groups[2].Value, StringComparer.Ordinal);
        }

        return rows;
    }

    /// <summary>The points of the chart line named <paramref name="series"/> (its polyline's title); 0 when there is no such line.</summary>
    public int SeriesPoints(string series)
    {
        Match line = Regex.Match(Html, "<polyline [^>]*points=\"([^\"]*)\"><title>" + Regex.Escape(series) + "</title>");
        return line.Success ? line.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length : 0;
    }

    [GeneratedRegex("<table id=\"stage-table\">(.*?)</table>", RegexOptions.Singleline)]
    private static partial Regex StageTable();

    [GeneratedRegex("<tr data-stage=\"([^\"]+)\">(.*?)</tr>", RegexOptions.Singleline)]
    private static partial Regex StageRow();

    [GeneratedRegex("data-metric=\"([a-z_0-9]+)\">(?:<span[^>]*>)?([^<]*)")]
    private static partial Regex StageCell();

    [GeneratedRegex("<tr class=\"total\"><td>overall</td><td class=\"num\">(\\d+)</td><td class=\"num\" data-metric=\"searches\">([0-9.]+)</td><td class=\"num\">([0-9.]+)</td>")]
    private static partial Regex BehaviourTotalRow();

    [GeneratedRegex("<script type=\"application/json\" id=\"run-data\">(.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex RunData();
}
