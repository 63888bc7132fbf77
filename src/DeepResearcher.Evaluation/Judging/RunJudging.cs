using DeepResearcher.Evaluation.Runs;

namespace DeepResearcher.Evaluation.Judging;

/// <summary>Fills <c>mbe</c> in a run's results.jsonl with the judge's verdicts and rewrites the file atomically.</summary>
public static class RunJudging
{
    public static async Task<RunJudgingSummary> JudgeAsync(
        RunDirectory run, MbeJudge judge, int concurrency, bool rejudge, IProgress<string>? log, CancellationToken cancellationToken)
    {
        IReadOnlyList<RunResult> results = await run.LoadResultsAsync(cancellationToken);
        var updated = new RunResult[results.Count];
        int exact = 0, none = 0, cached = 0, calls = 0, failures = 0, already = 0, done = 0;
        await Parallel.ForEachAsync(
            Enumerable.Range(0, results.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, concurrency), CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                RunResult result = results[i];
                if (!rejudge && result.Mbe is not null)
                {
                    Interlocked.Increment(ref already);
                    updated[i] = result;
                    return;
                }

                JudgeVerdict verdict = await judge.JudgeAsync(result.Question, result.Answers, result.Prediction, ct);
                switch (verdict.Source)
                {
                    case JudgeSource.ExactMatch: Interlocked.Increment(ref exact); break;
                    case JudgeSource.NoAnswer: Interlocked.Increment(ref none); break;
                    case JudgeSource.Cache: Interlocked.Increment(ref cached); break;
                    case JudgeSource.Judge: Interlocked.Increment(ref calls); break;
                    default:
                        Interlocked.Increment(ref failures);
                        log?.Report($"judge failed on {result.Id} after {verdict.Attempts} attempts (no valid JSON judgement); left unjudged");
                        break;
                }

                updated[i] = result with
                {
                    Mbe = verdict.Correct is bool correct ? (correct ? 1 : 0) : null,
                    JudgeFailed = verdict.Source == JudgeSource.Failed ? true : null,
                };
                int count = Interlocked.Increment(ref done);
                if (count % 100 == 0)
                {
                    log?.Report($"judged {count}/{results.Count}");
                }
            });

        await RunResultFile.RewriteAsync(run.ResultsPath, updated, cancellationToken);
        return new RunJudgingSummary(results.Count - already, exact, none, cached, calls, failures, already);
    }
}
