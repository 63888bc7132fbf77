using DeepResearcher.Evaluation.Reporting;
using DeepResearcher.Evaluation.Runs;

namespace DeepResearcher.Evaluation.Tests;

public class ScoreTableTests
{
    private static RunResult R(string id, string source, int sample, double em, double f1, int? mbe = null, string termination = "answered", int? hops = null)
        => new() { Id = id, Source = source, Sample = sample, Em = em, F1 = f1, SetF1 = f1, CoverEm = em, Mbe = mbe, Termination = termination, Hops = hops, TrajectoryId = $"{id}.{sample}" };

    [Fact]
    public void Greedy_rows_are_means_per_source_and_overall()
    {
        RunResult[] results = [R("a", "nq", 0, 1, 1, 1), R("b", "nq", 0, 0, 0.8, 0), R("c", "tq", 0, 0, 0, null, "max_turns")];

        IReadOnlyList<ScoreRow> bySource = ScoreTable.BySource(results);
        ScoreRow overall = ScoreTable.Row("overall", results);

        Assert.Equal(["nq", "tq"], bySource.Select(r => r.Group));
        Assert.Equal(0.5, bySource[0].Em);
        Assert.Equal(0.9, bySource[0].F1, 9);
        Assert.Equal(0.5, bySource[0].Mbe);
        Assert.Null(bySource[1].Mbe);
        Assert.Equal(3, overall.Questions);
        Assert.Equal(0.6, overall.F1, 9);
        Assert.Equal(2.0 / 3, overall.AnswerRate, 9);
        Assert.Equal(0.5, overall.Mbe);
        Assert.Equal(2, overall.Judged);
    }

    [Fact]
    public void Endings_are_counted_by_the_outcome_rates()
    {
        RunResult[] results =
        [
            R("a", "nq", 0, 1, 1), R("b", "nq", 0, 0, 0, termination: "protocol_error"), R("c", "nq", 0, 0, 0, termination: "max_turns"),
            R("d", "nq", 0, 0, 0, termination: "context_overflow"),
        ];

        ScoreRow row = ScoreTable.Row("overall", results);

        Assert.Equal(0.25, row.AnswerRate);
        Assert.Equal(0.25, row.ProtocolErrorRate);
        Assert.Equal(0.5, row.NoAnswerRate);
    }

    [Fact]
    public void Several_samples_give_avg_at_n_and_pass_at_n()
    {
        // Question a: samples F1 1 and 0; question b: 0.5 and 0.5.
        RunResult[] results = [R("a", "nq", 0, 1, 1, 1), R("a", "nq", 1, 0, 0, 0), R("b", "nq", 0, 0, 0.5, 0), R("b", "nq", 1, 0, 0.5, 0)];

        ScoreRow row = ScoreTable.Row("nq", results);

        Assert.Equal(2, row.Questions);
        Assert.Equal(4, row.Samples);
        Assert.Equal(0.5, row.F1, 9);      // avg@2 = (1 + 0 + 0.5 + 0.5) / 4
        Assert.Equal(0.75, row.PassF1, 9); // pass@2 = (max(1, 0) + max(0.5, 0.5)) / 2
        Assert.Equal(0.25, row.Em, 9);
        Assert.Equal(0.5, row.PassEm, 9);
        Assert.Equal(0.25, row.Mbe);
        Assert.Equal(0.5, row.PassMbe);
    }

    [Fact]
    public void Hop_groups_are_ordered_and_named()
    {
        RunResult[] results = [R("a", "world", 0, 1, 1, hops: 2), R("b", "world", 0, 0, 0, hops: 1), R("c", "world", 0, 1, 1, hops: 2)];

        IReadOnlyList<ScoreRow> byHops = ScoreTable.ByHops(results);

        Assert.Equal(["1 hop", "2 hops"], byHops.Select(r => r.Group));
        Assert.Equal(1.0, byHops[1].Em);
    }

    [Fact]
    public void Judge_failures_are_counted_and_left_out_of_MBE()
    {
        RunResult[] results = [R("a", "nq", 0, 0, 0.4, 1), R("b", "nq", 0, 0, 0.4) with { JudgeFailed = true }];

        ScoreRow row = ScoreTable.Row("nq", results);

        Assert.Equal(1.0, row.Mbe);
        Assert.Equal(1, row.Judged);
        Assert.Equal(1, row.JudgeFailures);
    }
}
