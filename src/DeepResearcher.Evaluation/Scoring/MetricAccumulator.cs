using DeepResearcher.Core.Rewards;

namespace DeepResearcher.Evaluation.Scoring;

/// <summary>Sums per-question scores; <see cref="Summary"/> gives the means.</summary>
public sealed class MetricAccumulator
{
    private int _count;
    private double _em;
    private double _f1;
    private double _setF1;
    private double _cover;

    public void Add(MetricScores scores)
    {
        _count++;
        _em += scores.ExactMatch;
        _f1 += scores.F1;
        _setF1 += scores.SetF1;
        _cover += scores.CoverExactMatch;
    }

    public MetricSummary Summary()
        => _count == 0 ? new MetricSummary(0, 0, 0, 0, 0) : new MetricSummary(_count, _em / _count, _f1 / _count, _setF1 / _count, _cover / _count);
}
