using DeepResearcher.Core.Trajectories;
using DeepResearcher.Evaluation.Running;
using DeepResearcher.Evaluation.Runs;

namespace DeepResearcher.Evaluation.Reporting;

/// <summary>Aggregates results.jsonl into score rows, micro-averaged over questions like <c>eval score</c>.</summary>
public static class ScoreTable
{
    public static IReadOnlyList<ScoreRow> BySource(IReadOnlyList<RunResult> results)
        => [.. results.GroupBy(r => r.Source, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => Row(g.Key, [.. g]))];

    public static IReadOnlyList<ScoreRow> ByHops(IReadOnlyList<RunResult> results)
        => [.. results.Where(r => r.Hops is not null).GroupBy(r => r.Hops!.Value).OrderBy(g => g.Key).Select(g => Row($"{g.Key} hop{(g.Key == 1 ? string.Empty : "s")}", [.. g]))];

    public static ScoreRow Row(string group, IReadOnlyList<RunResult> rows)
    {
        double Mean(Func<RunResult, double> f) => rows.Count == 0 ? 0 : rows.Average(f);
        List<IGrouping<string, RunResult>> questions = [.. rows.GroupBy(r => r.Id, StringComparer.Ordinal)];
        double PassMean(Func<RunResult, double> f) => questions.Count == 0 ? 0 : questions.Average(q => q.Max(f));
        List<RunResult> judged = [.. rows.Where(r => r.Mbe is not null)];
        List<IGrouping<string, RunResult>> judgedQuestions = [.. judged.GroupBy(r => r.Id, StringComparer.Ordinal)];
        OutcomeRates outcomes = OutcomeRates.Of(rows.Select(r => RunScoring.TerminationFromName(r.Termination)));
        return new ScoreRow
        {
            Group = group,
            Questions = questions.Count,
            Samples = rows.Count,
            Em = Mean(r => r.Em),
            F1 = Mean(r => r.F1),
            SetF1 = Mean(r => r.SetF1),
            CoverEm = Mean(r => r.CoverEm),
            Mbe = judged.Count == 0 ? null : judged.Average(r => r.Mbe!.Value),
            Judged = judged.Count,
            JudgeFailures = rows.Count(r => r.JudgeFailed == true),
            AnswerRate = outcomes.AnswerRate,
            ProtocolErrorRate = outcomes.ProtocolErrorRate,
            NoAnswerRate = outcomes.NoAnswerRate,
            PassEm = PassMean(r => r.Em),
            PassF1 = PassMean(r => r.F1),
            PassMbe = judgedQuestions.Count == 0 ? null : judgedQuestions.Average(q => q.Max(r => r.Mbe!.Value)),
        };
    }
}
