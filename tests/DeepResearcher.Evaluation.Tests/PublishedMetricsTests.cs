using System.Text.Json.Nodes;
using DeepResearcher.Core.Rewards;
using DeepResearcher.Evaluation.Datasets;
using DeepResearcher.Evaluation.Scoring;

namespace DeepResearcher.Evaluation.Tests;

/// <summary>
/// The default metrics against an independent implementation of the published definitions (SQuAD v1.1's EM and F1,
/// the original reward's set-F1): Fixtures/metrics/reference_scores.py, run once on a fixed prediction file.
/// </summary>
public class PublishedMetricsTests
{
    private const double Tolerance = 1e-12;

    private static string Fixture(string name)
        => Path.Combine(typeof(PublishedMetricsTests).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
               .Cast<System.Reflection.AssemblyMetadataAttribute>().Single(a => a.Key == "RepositoryRoot").Value!,
            "tests", "DeepResearcher.Evaluation.Tests", "Fixtures", "metrics", name);

    private static JsonObject Expected() => JsonNode.Parse(File.ReadAllText(Fixture("expected.json")))!.AsObject();

    private static async Task<(IReadOnlyList<QaExample> Examples, Dictionary<string, string> Predictions)> LoadAsync(CancellationToken ct)
    {
        IReadOnlyList<QaExample> examples = await QaDataset.LoadAsync(Fixture("data.jsonl"), ct);
        var predictions = (await PredictionFile.LoadAsync(Fixture("predictions.jsonl"), ct)).ToDictionary(p => p.Prediction.Id, p => p.Prediction.Text, StringComparer.Ordinal);
        return (examples, predictions);
    }

    [Fact]
    public async Task Overall_scores_match_the_reference_implementation()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        JsonObject overall = Expected()["overall"]!.AsObject();

        ScoreReport report = await PredictionScorer.ScoreFilesAsync(Fixture("predictions.jsonl"), Fixture("data.jsonl"), missingAsEmpty: false, ct);

        Assert.Equal(300, report.Overall.Count);
        Assert.Equal(overall["em"]!.GetValue<double>(), report.Overall.ExactMatch, Tolerance);
        Assert.Equal(overall["f1"]!.GetValue<double>(), report.Overall.F1, Tolerance);
        Assert.Equal(overall["set_f1"]!.GetValue<double>(), report.Overall.SetF1, Tolerance);
        Assert.Empty(report.ToJson()["metric_rules"]!.AsArray());
    }

    [Fact]
    public async Task Every_row_matches_the_reference_implementation()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        (IReadOnlyList<QaExample> examples, Dictionary<string, string> predictions) = await LoadAsync(ct);
        var byId = examples.ToDictionary(e => e.Id, StringComparer.Ordinal);
        var mismatches = new List<string>();

        foreach (JsonNode? row in Expected()["rows"]!.AsArray())
        {
            string id = row!["id"]!.GetValue<string>();
            MetricScores scores = QaMetrics.Score(predictions[id], byId[id].Answers);
            foreach ((string metric, double ours) in new[] { ("em", scores.ExactMatch), ("f1", scores.F1), ("set_f1", scores.SetF1) })
            {
                double reference = row[metric]!.GetValue<double>();
                if (Math.Abs(reference - ours) > Tolerance)
                {
                    mismatches.Add($"{id} {metric}: reference {reference}, ours {ours} (prediction '{predictions[id]}')");
                }
            }
        }

        Assert.True(mismatches.Count == 0, string.Join('\n', mismatches));
    }

    [Fact]
    public async Task Unicode_punctuation_changes_only_rows_with_unicode_punctuation()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        (IReadOnlyList<QaExample> examples, Dictionary<string, string> predictions) = await LoadAsync(ct);
        static bool HasUnicodePunctuation(string text) => text.Any(c => c >= 128 && char.IsPunctuation(c));
        int changed = 0;

        foreach (QaExample example in examples)
        {
            string prediction = predictions[example.Id];
            MetricScores published = QaMetrics.Score(prediction, example.Answers);
            MetricScores widened = QaMetrics.Score(prediction, example.Answers, MetricRules.UnicodePunctuation);
            if (published != widened)
            {
                changed++;
                Assert.True(HasUnicodePunctuation(prediction) || example.Answers.Any(HasUnicodePunctuation), $"{example.Id} changed without Unicode punctuation");
            }
        }

        // The fixture's curly quotes, en dashes and ellipses: “Paris” scores as Paris.
        Assert.True(changed >= 20, $"only {changed} rows changed");
        ScoreReport report = PredictionScorer.Score(examples, predictions, MetricRules.UnicodePunctuation);
        Assert.True(report.Overall.ExactMatch > Expected()["overall"]!["em"]!.GetValue<double>());
        Assert.Equal(["unicode-punctuation"], report.ToJson()["metric_rules"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Contains("metrics: published definitions + unicode-punctuation", report.ToTable(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_hotpotqa_rule_only_lowers_f1_and_only_on_yes_no_rows()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        (IReadOnlyList<QaExample> examples, Dictionary<string, string> predictions) = await LoadAsync(ct);
        int lowered = 0;

        foreach (QaExample example in examples)
        {
            string prediction = predictions[example.Id];
            MetricScores published = QaMetrics.Score(prediction, example.Answers);
            MetricScores hotpot = QaMetrics.Score(prediction, example.Answers, MetricRules.HotpotQaYesNo);
            Assert.Equal(published with { F1 = hotpot.F1 }, hotpot);
            if (hotpot.F1 != published.F1)
            {
                lowered++;
                Assert.True(hotpot.F1 < published.F1, example.Id);
                string[] special = ["yes", "no", "noanswer"];
                Assert.True(special.Contains(AnswerNormalizer.Squad(prediction)) || example.Answers.Any(a => special.Contains(AnswerNormalizer.Squad(a))), example.Id);
            }
        }

        // "no, it is not" and "yes yes" against a yes/no gold earn bag-F1 credit under SQuAD's definition, none under HotpotQA's.
        Assert.True(lowered > 0);
    }
}
