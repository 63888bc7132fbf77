using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using DeepResearcher.Core.Rewards;

namespace DeepResearcher.Evaluation.Scoring;

/// <summary>Scores per source and overall (micro-averaged over questions), and the metric rules that produced them.</summary>
public sealed record ScoreReport(IReadOnlyList<(string Source, MetricSummary Scores)> Sources, MetricSummary Overall)
{
    /// <summary>The departures from the published definitions the scores used; null when not recorded (an old run).</summary>
    public MetricRules? Rules { get; init; } = MetricRules.None;

    public JsonObject ToJson()
    {
        var sources = new JsonObject();
        foreach ((string source, MetricSummary scores) in Sources)
        {
            sources[source] = ToJson(scores);
        }

        return new JsonObject
        {
            ["metric_rules"] = Rules is MetricRules rules ? new JsonArray([.. MetricRuleNames.Format(rules).Select(n => (JsonNode)n)]) : null,
            ["overall"] = ToJson(Overall),
            ["sources"] = sources,
        };
    }

    /// <summary>A fixed-width table, scores in percent as the paper prints them.</summary>
    public string ToTable()
    {
        var sb = new StringBuilder();
        int width = Math.Max(7, Sources.Count == 0 ? 0 : Sources.Max(s => s.Source.Length));
        sb.Append("source".PadRight(width)).AppendLine("      n      EM      F1  set-F1  cover-EM");
        foreach ((string source, MetricSummary scores) in Sources)
        {
            Row(sb, source, width, scores);
        }

        sb.AppendLine(new string('-', width + 41));
        Row(sb, "overall", width, Overall);
        sb.Append("metrics: ").AppendLine(Rules is MetricRules described ? MetricRuleNames.Describe(described) : "not recorded");
        return sb.ToString();
    }

    private static void Row(StringBuilder sb, string name, int width, MetricSummary s)
    {
        sb.Append(name.PadRight(width))
          .Append(s.Count.ToString(CultureInfo.InvariantCulture).PadLeft(7))
          .Append(Percent(s.ExactMatch)).Append(Percent(s.F1)).Append(Percent(s.SetF1)).Append(Percent(s.CoverExactMatch).PadLeft(10))
          .AppendLine();
    }

    private static string Percent(double value) => (value * 100).ToString("0.0", CultureInfo.InvariantCulture).PadLeft(8);

    private static JsonObject ToJson(MetricSummary s) => new()
    {
        ["count"] = s.Count,
        ["em"] = Math.Round(s.ExactMatch, 6),
        ["f1"] = Math.Round(s.F1, 6),
        ["set_f1"] = Math.Round(s.SetF1, 6),
        ["cover_em"] = Math.Round(s.CoverExactMatch, 6),
    };
}
