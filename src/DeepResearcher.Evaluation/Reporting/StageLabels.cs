using System.Globalization;
using System.Text.Json.Nodes;

namespace DeepResearcher.Evaluation.Reporting;

/// <summary>How a training stage's evaluation (a line of evaluations.jsonl) is named in the reports.</summary>
public static class StageLabels
{
    public static string Label(JsonObject evaluation)
    {
        string stage = Text(evaluation, "stage") ?? "?";
        bool sampled = stage.EndsWith("-sampled", StringComparison.Ordinal);
        string name = (sampled ? stage[..^"-sampled".Length] : stage) switch
        {
            "initial" => "before training",
            "after-sft" => "after SFT",
            "after-grpo" => "after GRPO",
            string other => other,
        };
        if (!sampled)
        {
            return name;
        }

        double samples = Number(evaluation, "samples") ?? 0, temperature = Number(evaluation, "temperature") ?? 0;
        return string.Create(CultureInfo.InvariantCulture, $"{name}, {samples:0} samples at T = {temperature:0.##}");
    }

    public static string? Text(JsonObject row, string key)
        => row[key] is JsonValue v && v.TryGetValue(out string? s) ? s : null;

    public static double? Number(JsonObject row, string key)
        => row[key] is JsonValue v && v.TryGetValue(out double d) ? d : null;
}
