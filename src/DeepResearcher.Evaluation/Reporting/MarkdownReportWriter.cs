using System.Globalization;
using System.Text;
using DeepResearcher.Evaluation.Behaviour;

namespace DeepResearcher.Evaluation.Reporting;

/// <summary>The report as Markdown: the same tables as the HTML page, for pull requests and terminals.</summary>
public static class MarkdownReportWriter
{
    public static string Write(RunReportData data)
    {
        var sb = new StringBuilder();
        var m = data.Manifest;
        int n = data.SamplesPerQuestion;
        sb.Append("# ").AppendLine(Cell(m.Name)).AppendLine();
        sb.Append(CultureInfo.InvariantCulture, $"- kind: {m.Kind}\n- model: {Cell(m.Model)}\n- data: {Cell(m.Data)}\n- tools: {Cell(m.Tools)}\n- created: {m.CreatedAt:yyyy-MM-dd HH:mm} UTC\n- metrics: {Cell(m.MetricsDescription())}\n");
        if (n > 1)
        {
            sb.Append(CultureInfo.InvariantCulture, $"- samples: {n} per question (scores are avg@{n}; pass@{n} in its own columns)\n");
        }

        if (data.Results.Count > 0)
        {
            sb.AppendLine().AppendLine("## Scores").AppendLine();
            ScoreTable(sb, "source", [.. data.BySource, data.Overall], n);
            if (data.ByHops.Count > 0)
            {
                sb.AppendLine();
                ScoreTable(sb, "hops", data.ByHops, n);
            }

            sb.AppendLine().AppendLine("## Comparison with the paper (F1 / MBE, %)").AppendLine();
            sb.AppendLine("Rows marked *(paper)* are the DeepResearcher paper's published numbers (Tables 1–2), not measured here.").AppendLine();
            var ours = data.BySource.Where(r => PaperResults.BenchmarkOf(r.Group) is not null).ToDictionary(r => PaperResults.BenchmarkOf(r.Group)!, StringComparer.Ordinal);
            PaperTable(sb, PaperResults.InDomain, ours, m.Model);
            sb.AppendLine();
            PaperTable(sb, PaperResults.OutOfDomain, ours, m.Model);

            sb.AppendLine().AppendLine("## Behaviour").AppendLine();
            sb.AppendLine("| group | n | searches | browses | turns | response tokens | cross-validation | reflection | honesty | abstained | answer words |");
            sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (BehaviourSummary b in data.BehaviourBySource.Concat(data.BehaviourByHops).Append(data.BehaviourOverall))
            {
                sb.Append(CultureInfo.InvariantCulture,
                    $"| {Cell(b.Group)} | {b.Count} | {b.Searches:0.00} | {b.Browses:0.00} | {b.Turns:0.00} | {b.ResponseTokens:0} | {ReportFormat.Percent(b.CrossValidationRate)} ({b.CrossValidationEligible}) | {ReportFormat.Percent(b.ReflectionRate)} ({b.ReflectionEligible}) | {ReportFormat.Percent(b.HonestyRate)} ({b.HonestyEligible}) | {ReportFormat.Percent(b.AbstentionRate)} | {b.AnswerWords:0.0} |\n");
            }

            sb.AppendLine().Append(CultureInfo.InvariantCulture, $"Honesty leaves out yes/no questions (\"yes\" need not appear in any evidence): {data.BehaviourOverall.HonestyExcludedYesNo} here.\n");
        }

        if (data.IsTraining)
        {
            sb.AppendLine().AppendLine("## Training").AppendLine();
            if (data.Evaluations.Count > 0)
            {
                sb.AppendLine("| stage | n | set-F1 | F1 | EM | protocol errors | answered | tool calls |");
                sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
                foreach (System.Text.Json.Nodes.JsonObject e in data.Evaluations)
                {
                    double? Number(string key) => StageLabels.Number(e, key);
                    sb.Append(CultureInfo.InvariantCulture,
                        $"| {Cell(StageLabels.Label(e))} | {Number("questions") ?? 0:0} | {ReportFormat.Percent(Number("set_f1"))} | {ReportFormat.Percent(Number("f1"))} | {ReportFormat.Percent(Number("em"))} | {ReportFormat.Percent(Number("protocol_error_rate") ?? Number("format_error_rate"))} | {ReportFormat.Percent(Number("answer_rate"))} | {(Number("tool_calls") is double t ? ReportFormat.Number(t) : "—")} |\n");
                }

                sb.AppendLine();
            }

            sb.Append(CultureInfo.InvariantCulture, $"{data.WarmStart.Count} warm-start steps in warm-start.jsonl and {data.Metrics.Count} GRPO steps in metrics.jsonl; curves are in report.html.\n");
        }

        return sb.ToString();
    }

    private static void ScoreTable(StringBuilder sb, string first, IEnumerable<ScoreRow> rows, int n)
    {
        string s = n > 1 ? $" avg@{n}" : string.Empty;
        sb.Append(CultureInfo.InvariantCulture, $"| {first} | n | EM{s} | F1{s} | set-F1{s} | cover-EM{s} | MBE{s} |");
        sb.Append(n > 1 ? $" EM pass@{n} | F1 pass@{n} | MBE pass@{n} |" : string.Empty).AppendLine(" answered | judge failures |");
        sb.Append("|---|---:|---:|---:|---:|---:|---:|").Append(n > 1 ? "---:|---:|---:|" : string.Empty).AppendLine("---:|---:|");
        foreach (ScoreRow r in rows)
        {
            sb.Append(CultureInfo.InvariantCulture, $"| {Cell(r.Group)} | {r.Questions} | {ReportFormat.Percent(r.Em)} | {ReportFormat.Percent(r.F1)} | {ReportFormat.Percent(r.SetF1)} | {ReportFormat.Percent(r.CoverEm)} | {ReportFormat.Percent(r.Mbe)} |");
            if (n > 1)
            {
                sb.Append(CultureInfo.InvariantCulture, $" {ReportFormat.Percent(r.PassEm)} | {ReportFormat.Percent(r.PassF1)} | {ReportFormat.Percent(r.PassMbe)} |");
            }

            sb.Append(CultureInfo.InvariantCulture, $" {ReportFormat.Percent(r.AnswerRate)} | {r.JudgeFailures} |\n");
        }
    }

    private static void PaperTable(StringBuilder sb, IReadOnlyList<string> keys, Dictionary<string, ScoreRow> ours, string model)
    {
        sb.Append("| method | env |");
        foreach (string key in keys)
        {
            sb.Append(' ').Append(PaperResults.DisplayNames[key]).Append(" |");
        }

        sb.AppendLine().Append("|---|---|").AppendLine(string.Concat(keys.Select(_ => "---:|")));
        foreach (PaperMethod method in PaperResults.Methods)
        {
            sb.Append("| ").Append(method.Name).Append(" *(paper)* | ").Append(method.Environment).Append(" |");
            foreach (string key in keys)
            {
                sb.Append(CultureInfo.InvariantCulture, $" {method.Scores[key].F1:0.0} / {method.Scores[key].Mbe:0.0} |");
            }

            sb.AppendLine();
        }

        sb.Append("| **this run").Append(string.IsNullOrEmpty(model) ? string.Empty : $" ({Cell(model)})").Append("** | this project |");
        foreach (string key in keys)
        {
            sb.Append(' ').Append(ours.TryGetValue(key, out ScoreRow? r) ? $"{ReportFormat.Percent(r.F1)} / {ReportFormat.Percent(r.Mbe)}" : "—").Append(" |");
        }

        sb.AppendLine();
    }

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
