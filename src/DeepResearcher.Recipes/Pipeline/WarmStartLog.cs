using System.Text.Json.Nodes;
using DeepResearcher.Evaluation.Runs;
using DeepResearcher.Training.Pipeline;

namespace DeepResearcher.Recipes.Pipeline;

/// <summary>
/// warm-start.jsonl: one line per pretraining or SFT step (stage, loss, learning rate, tokens), for the report's
/// warm-start curve. A resumed run first drops the lines of steps after its checkpoint, so no step is logged twice.
/// </summary>
public sealed class WarmStartLog : IAsyncDisposable
{
    private readonly JsonlAppender _lines;

    private WarmStartLog(RunDirectory run) => _lines = new JsonlAppender(run.WarmStartPath);

    /// <summary>Opens the log for appending after <paramref name="completedSteps"/> warm-start steps.</summary>
    public static async Task<WarmStartLog> OpenAsync(RunDirectory run, int completedSteps, CancellationToken cancellationToken)
    {
        await GrpoRunLog.KeepStepsUpToAsync(run.WarmStartPath, completedSteps, cancellationToken);
        return new WarmStartLog(run);
    }

    /// <param name="stage"><c>pretrain</c> (every token in the loss) or <c>sft</c> (the policy's tokens only).</param>
    public Task AppendAsync(int step, string stage, double loss, float learningRate, long tokens, CancellationToken cancellationToken)
        => _lines.AppendAsync(new JsonObject
        {
            ["step"] = step,
            ["stage"] = stage,
            ["loss"] = loss,
            ["lr"] = learningRate,
            ["tokens"] = tokens,
        }.ToJsonString(), cancellationToken);

    public ValueTask DisposeAsync() => _lines.DisposeAsync();
}
