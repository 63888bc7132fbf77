using System.Collections.Concurrent;
using DeepResearcher.Core.Agent;
using DeepResearcher.Core.Protocol;
using DeepResearcher.Core.Rewards;

namespace DeepResearcher.Evaluation.Judging;

/// <summary>
/// The original's model-based evaluation (MBE): an LLM judges whether a prediction means the same as a gold answer.
/// Exact matches are correct without a call; invalid judge output is retried up to <see cref="MaxAttempts"/> times
/// and then reported as a failure, never as "incorrect". Transport errors (after the model client's own retries)
/// propagate: an unreachable judge must stop the scoring, not fail every question.
/// </summary>
public sealed class MbeJudge(IChatModel judge, JudgeCache cache, int maxAttempts = 3, float temperature = 0.7f)
{
    // Identical requests in flight at once (the n samples of a question often agree) share one call.
    private readonly ConcurrentDictionary<string, Lazy<Task<JudgeVerdict>>> _inflight = new(StringComparer.Ordinal);

    public int MaxAttempts { get; } = Math.Max(1, maxAttempts);

    public string Model => judge.Name;

    public async Task<JudgeVerdict> JudgeAsync(string question, IReadOnlyList<string> answers, string prediction, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(prediction))
        {
            return new JudgeVerdict(false, JudgeSource.NoAnswer);
        }

        if (QaMetrics.ExactMatch(prediction, answers, MetricRules.UnicodePunctuation) > 0)
        {
            return new JudgeVerdict(true, JudgeSource.ExactMatch);
        }

        string key = JudgeCache.Key(judge.Name, question, answers, prediction);
        if (cache.TryGet(key, out (bool Correct, string Rationale) cached))
        {
            return new JudgeVerdict(cached.Correct, JudgeSource.Cache, cached.Rationale);
        }

        Lazy<Task<JudgeVerdict>> call = _inflight.GetOrAdd(key, k => new Lazy<Task<JudgeVerdict>>(() => CallAsync(k, question, answers, prediction, cancellationToken)));
        try
        {
            return await call.Value;
        }
        finally
        {
            _inflight.TryRemove(new KeyValuePair<string, Lazy<Task<JudgeVerdict>>>(key, call));
        }
    }

    private async Task<JudgeVerdict> CallAsync(string key, string question, IReadOnlyList<string> answers, string prediction, CancellationToken cancellationToken)
    {
        var request = new GenerationRequest
        {
            Messages = [ChatMessage.System(JudgePrompt.System), ChatMessage.User(JudgePrompt.Render(question, answers, prediction))],
            Sampling = new SamplingOptions { Temperature = temperature, MaxTokens = 512, StopSequences = [] },
        };
        for (int attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            ModelReply reply = await judge.GenerateAsync(request, cancellationToken);
            if (JudgeReplyParser.Parse(reply.Text) is { } verdict)
            {
                await cache.AddAsync(key, judge.Name, question, answers, prediction, verdict.Correct, verdict.Rationale, cancellationToken);
                return new JudgeVerdict(verdict.Correct, JudgeSource.Judge, verdict.Rationale, attempt);
            }
        }

        return new JudgeVerdict(null, JudgeSource.Failed, null, MaxAttempts);
    }
}
