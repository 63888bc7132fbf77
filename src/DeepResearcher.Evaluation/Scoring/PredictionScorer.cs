using DeepResearcher.Core.Rewards;
using DeepResearcher.Evaluation.Datasets;

namespace DeepResearcher.Evaluation.Scoring;

/// <summary>Scores a predictions file against a dataset, per source and overall.</summary>
public static class PredictionScorer
{
    public static ScoreReport Score(IReadOnlyList<QaExample> examples, IReadOnlyDictionary<string, string> predictions, MetricRules rules = MetricRules.None)
    {
        var bySource = new SortedDictionary<string, MetricAccumulator>(StringComparer.Ordinal);
        var overall = new MetricAccumulator();
        foreach (QaExample example in examples)
        {
            MetricScores scores = QaMetrics.Score(predictions.GetValueOrDefault(example.Id, string.Empty), example.Answers, rules);
            if (!bySource.TryGetValue(example.Source, out MetricAccumulator? accumulator))
            {
                accumulator = new MetricAccumulator();
                bySource[example.Source] = accumulator;
            }

            accumulator.Add(scores);
            overall.Add(scores);
        }

        return new ScoreReport([.. bySource.Select(kv => (kv.Key, kv.Value.Summary()))], overall.Summary()) { Rules = rules };
    }

    /// <summary>
    /// Loads and checks both files: every prediction id must exist in the data, and every question needs a prediction
    /// unless <paramref name="missingAsEmpty"/> (then a missing one scores as an empty answer).
    /// </summary>
    public static async Task<ScoreReport> ScoreFilesAsync(string predictionsPath, string dataPath, bool missingAsEmpty, CancellationToken cancellationToken, MetricRules rules = MetricRules.None)
    {
        IReadOnlyList<QaExample> examples = await QaDataset.LoadAsync(dataPath, cancellationToken);
        IReadOnlyList<(int Line, Prediction Prediction)> predictions = await PredictionFile.LoadAsync(predictionsPath, cancellationToken);
        var known = new HashSet<string>(examples.Select(e => e.Id), StringComparer.Ordinal);
        var byId = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach ((int line, Prediction prediction) in predictions)
        {
            if (!known.Contains(prediction.Id))
            {
                throw new DataFileException(predictionsPath, line, $"id '{prediction.Id}' is not in {dataPath}");
            }

            byId[prediction.Id] = prediction.Text;
        }

        List<string> missing = [.. examples.Where(e => !byId.ContainsKey(e.Id)).Select(e => e.Id)];
        if (missing.Count > 0 && !missingAsEmpty)
        {
            throw new DataFileException(predictionsPath, null,
                $"{missing.Count} of {examples.Count} questions in {dataPath} have no prediction (first: {string.Join(", ", missing.Take(3))}); " +
                "add them, or pass --missing-as-empty to score them as empty answers");
        }

        return Score(examples, byId, rules);
    }
}
