using System.Text.Json.Nodes;
using DeepResearcher.Evaluation.Runs;
using DeepResearcher.Training.Evaluations;

namespace DeepResearcher.Recipes.Pipeline;

/// <summary>
/// evaluations.jsonl: the policy's held-out scores at each stage of a run (before training, after SFT, after GRPO, and
/// their sampled counterparts), one line each in stage order, for the report's comparison table.
/// </summary>
public static class StageEvaluations
{
    /// <summary>Rewrites the file (atomically) with one line per evaluation, in the order given.</summary>
    public static Task WriteAsync(RunDirectory run, IEnumerable<(string Stage, PolicyEvaluation Evaluation)> stages, CancellationToken cancellationToken)
        => AtomicFile.WriteAllLinesAsync(run.EvaluationsPath, stages.Select(s => ToLine(s.Stage, s.Evaluation)), cancellationToken);

    public static string ToLine(string stage, PolicyEvaluation evaluation) => new JsonObject
    {
        ["stage"] = stage,
        ["questions"] = evaluation.Questions,
        ["samples"] = evaluation.Samples,
        ["temperature"] = evaluation.Temperature,
        ["set_f1"] = evaluation.SetF1,
        ["f1"] = evaluation.F1,
        ["em"] = evaluation.ExactMatch,
        // The old name of protocol_error_rate (same value), which older runs' reports and readers know.
        ["format_error_rate"] = evaluation.ProtocolErrorRate,
        ["answer_rate"] = evaluation.AnswerRate,
        ["tool_calls"] = evaluation.ToolCalls,
        ["protocol_error_rate"] = evaluation.ProtocolErrorRate,
        ["no_answer_rate"] = evaluation.NoAnswerRate,
    }.ToJsonString();
}
