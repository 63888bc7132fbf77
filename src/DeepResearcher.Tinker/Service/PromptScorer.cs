using System.Collections.Concurrent;
using DeepResearcher.Engine.Model;
using DeepResearcher.Engine.Sampling;
using DeepResearcher.Training.Backends;
using DeepResearcher.Training.Rollouts;

namespace DeepResearcher.Tinker.Service;

/// <summary>
/// The prompt log-probs of <c>asample</c> requests with <c>prompt_logprobs</c>, batched across requests: whoever takes
/// the forward lock scores every prompt queued by then in micro-batches under the token budget (a GRPO reference pass
/// sends one such request per trajectory; scored one at a time they ran the GEMMs at M = one sequence and took twice
/// the in-process reference pass). The same pass gives each prompt's next-token logits, so a one-token sample (what
/// the SDK's <c>compute_logprobs</c> asks for) is drawn from them and never goes through the sampler's prefill.
/// </summary>
internal sealed class PromptScorer(TransformerModel model, int microBatchTokens)
{
    private readonly ConcurrentQueue<Job> _queue = new();
    private readonly SemaphoreSlim _forwardLock = new(1, 1);
    private readonly TokenSampler _tokenSampler = new();
    private float[] _logits = [];

    /// <summary>Scored prompts so far, and forward passes (micro-batches) they took: the batching at work.</summary>
    public long Prompts, Passes;

    /// <summary>
    /// log π(prompt[i] | prompt[..i]) of every prompt token (null for the first) and, for each of
    /// <paramref name="nextTokenOptions"/>, one token drawn from the distribution after the prompt.
    /// </summary>
    public async Task<(float?[] PromptLogProbs, SampledToken[] Next)> ScoreAsync(int[] prompt, IReadOnlyList<DecodingOptions> nextTokenOptions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(nextTokenOptions);
        if (prompt.Length == 0)
        {
            throw new ArgumentException("a prompt to score needs at least one token", nameof(prompt));
        }

        var job = new Job(prompt, nextTokenOptions);
        _queue.Enqueue(job);
        await _forwardLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // An earlier holder may have scored this job with its batch; then there is nothing left to run for it.
            var batch = new List<Job>();
            while (_queue.TryDequeue(out Job? queued))
            {
                batch.Add(queued);
            }

            if (batch.Count > 0)
            {
                Run(batch);
            }
        }
        finally
        {
            _forwardLock.Release();
        }

        return await job.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The forward passes and samples of the engine's scoring; serialised with them because they share its workspace.</summary>
    public SemaphoreSlim ForwardLock => _forwardLock;

    private void Run(List<Job> batch)
    {
        try
        {
            foreach (List<Job> micro in MicroBatches.Pack(batch, j => j.Prompt.Length, microBatchTokens))
            {
                var data = new TokenDatum[micro.Count];
                for (int i = 0; i < micro.Count; i++)
                {
                    // The last input has no target in the prompt; 0 stands in, and its log-prob is not reported.
                    int[] p = micro[i].Prompt;
                    data[i] = new TokenDatum(p, [.. p.AsSpan(1), 0], new byte[p.Length]);
                }

                (TokenBatch tokens, int[] targets) = EngineLogProbSource.Pack(data);
                var logProbs = new float[targets.Length];
                model.ForwardLogProbs(tokens, targets, logProbs);
                Interlocked.Increment(ref Passes);
                int vocab = model.Config.VocabSize, at = 0;
                var rows = new int[micro.Count];
                for (int i = 0; i < micro.Count; i++)
                {
                    at += micro[i].Prompt.Length;
                    rows[i] = at - 1;
                }

                if (_logits.Length < rows.Length * vocab)
                {
                    _logits = new float[rows.Length * vocab];
                }

                model.LogitsOfLastForward(rows, _logits);
                at = 0;
                for (int i = 0; i < micro.Count; i++)
                {
                    Job job = micro[i];
                    var promptLogProbs = new float?[job.Prompt.Length];
                    for (int t = 0; t + 1 < job.Prompt.Length; t++)
                    {
                        promptLogProbs[t + 1] = logProbs[at + t];
                    }

                    at += job.Prompt.Length;
                    ReadOnlySpan<float> next = _logits.AsSpan(i * vocab, vocab);
                    var sampled = new SampledToken[job.NextTokenOptions.Count];
                    for (int s = 0; s < sampled.Length; s++)
                    {
                        DecodingOptions options = job.NextTokenOptions[s];
                        sampled[s] = _tokenSampler.Sample(next, options, new Random(options.Seed ?? Random.Shared.Next()));
                    }

                    Interlocked.Increment(ref Prompts);
                    job.Completion.TrySetResult((promptLogProbs, sampled));
                }
            }
        }
#pragma warning disable CA1031 // every waiting request must hear of the failure, not just the one that ran the batch
        catch (Exception e)
#pragma warning restore CA1031
        {
            foreach (Job job in batch)
            {
                job.Completion.TrySetException(e);
            }
        }
    }

    private sealed record Job(int[] Prompt, IReadOnlyList<DecodingOptions> NextTokenOptions)
    {
        public TaskCompletionSource<(float?[], SampledToken[])> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
