using DeepResearcher.Evaluation.Datasets;

namespace DeepResearcher.Evaluation.Filtering;

/// <summary>Runs the quality and contamination filters over a dataset with bounded concurrency; every drop keeps its reason.</summary>
public static class DataFilterPipeline
{
    public static async Task<IReadOnlyList<FilterDecision>> RunAsync(
        IReadOnlyList<QaExample> examples,
        QualityFilter? quality,
        ContaminationFilter? contamination,
        int concurrency,
        IProgress<FilterDecision>? progress,
        CancellationToken cancellationToken)
    {
        var decisions = new FilterDecision[examples.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, examples.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, concurrency), CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                QaExample example = examples[i];
                // Quality first: it is one call, contamination is k of them.
                FilterDecision decision = quality is null ? new FilterDecision(example.Id, true, null) : await quality.DecideAsync(example, ct);
                if (decision.Kept && contamination is not null)
                {
                    decision = await contamination.DecideAsync(example, ct);
                }

                decisions[i] = decision;
                progress?.Report(decision);
            });
        return decisions;
    }
}
