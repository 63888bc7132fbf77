using DeepResearcher.Engine.Model;
using DeepResearcher.Training.Rollouts;

namespace DeepResearcher.Training.Backends;

/// <summary>
/// Log-probs of token data under an in-process model, in micro-batches under a token budget: one sequence at a time
/// would run the GEMMs at M = one sequence. The GRPO reference is one; <see cref="EngineBackend"/> scores with one.
/// </summary>
public sealed class EngineLogProbSource(TransformerModel model, int microBatchTokens) : ILogProbSource
{
    public TransformerModel Model => model;

    /// <summary>Token budget of one micro-batch.</summary>
    public int MicroBatchTokens => microBatchTokens;

    public Task<IReadOnlyList<float[]>> ComputeLogProbsAsync(IReadOnlyList<TokenDatum> data, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(data);
        var results = new float[data.Count][];
        int index = 0;
        foreach (List<TokenDatum> micro in MicroBatches.Pack(data, d => d.Length, microBatchTokens))
        {
            cancellationToken.ThrowIfCancellationRequested();
            (TokenBatch tokens, int[] targets) = Pack(micro);
            var logProbs = new float[targets.Length];
            model.ForwardLogProbs(tokens, targets, logProbs);
            int at = 0;
            foreach (TokenDatum datum in micro)
            {
                results[index++] = logProbs[at..(at + datum.Length)];
                at += datum.Length;
            }
        }

        return Task.FromResult<IReadOnlyList<float[]>>(results);
    }

    /// <summary>The micro-batch as one packed batch of sequences and its targets.</summary>
    public static (TokenBatch Tokens, int[] Targets) Pack(IReadOnlyList<TokenDatum> data)
    {
        int total = 0;
        foreach (TokenDatum d in data)
        {
            if (d.TargetTokens.Length != d.Length || d.LossMask.Length != d.Length)
            {
                throw new ArgumentException($"a datum has {d.Length} input tokens but {d.TargetTokens.Length} targets and {d.LossMask.Length} mask values; all three must match");
            }

            total += d.Length;
        }

        var inputs = new int[total];
        var targets = new int[total];
        var lengths = new int[data.Count];
        int at = 0;
        for (int i = 0; i < data.Count; i++)
        {
            data[i].InputTokens.CopyTo(inputs, at);
            data[i].TargetTokens.CopyTo(targets, at);
            lengths[i] = data[i].Length;
            at += lengths[i];
        }

        return (new TokenBatch(inputs, lengths), targets);
    }
}
