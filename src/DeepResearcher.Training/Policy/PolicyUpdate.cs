using DeepResearcher.Engine.Model;
using DeepResearcher.Engine.Optim;
using DeepResearcher.Training.Rollouts;

namespace DeepResearcher.Training.Policy;

/// <summary>
/// One optimizer step over a batch of sequences, in micro-batches under a token budget (gradient accumulation):
/// forward log-probs of the targets, a caller-supplied per-token loss gradient, backward, then global-norm clipping
/// and AdamW. The loss callback sees each micro-batch's log-probs and writes dL/dlogπ, already scaled for the batch.
/// </summary>
public sealed class PolicyUpdate(TransformerModel model, AdamW optimizer, int microBatchTokens, float gradClip)
{
    public delegate double MicroBatchLoss(IReadOnlyList<PolicySequence> sequences, ReadOnlySpan<float> logProbs, Span<float> gradient);

    /// <summary>A loss that also reads the policy's per-token entropy and writes dL/dH (an entropy bonus).</summary>
    public delegate double MicroBatchEntropyLoss(IReadOnlyList<PolicySequence> sequences, ReadOnlySpan<float> logProbs, ReadOnlySpan<float> entropy, Span<float> gradient, Span<float> entropyGradient);

    public TransformerModel Model => model;

    public AdamW Optimizer => optimizer;

    /// <summary>Token budget of one micro-batch.</summary>
    public int MicroBatchTokens => microBatchTokens;

    /// <returns>The summed loss of the micro-batches and the gradient norm before clipping.</returns>
    public (double Loss, float GradNorm) Step(IReadOnlyList<PolicySequence> batch, MicroBatchLoss loss, float learningRate)
        => Step(batch, withEntropy: false, (micro, logProbs, _, gradient, _) => loss(micro, logProbs, gradient), learningRate);

    /// <summary>As the other overload, with the per-token entropy of the policy in the forward pass and its gradient in the backward.</summary>
    public (double Loss, float GradNorm) Step(IReadOnlyList<PolicySequence> batch, MicroBatchEntropyLoss loss, float learningRate)
        => Step(batch, withEntropy: true, loss, learningRate);

    private (double Loss, float GradNorm) Step(IReadOnlyList<PolicySequence> batch, bool withEntropy, MicroBatchEntropyLoss loss, float learningRate)
    {
        optimizer.ZeroGrad();
        double total = 0;
        foreach (List<PolicySequence> micro in MicroBatches.Pack(batch, microBatchTokens))
        {
            (TokenBatch tokens, int[] targets) = Pack(micro);
            var logProbs = new float[targets.Length];
            float[] entropy = withEntropy ? new float[targets.Length] : [];
            model.ForwardLogProbs(tokens, targets, logProbs, entropy);
            var gradient = new float[targets.Length];
            float[] entropyGradient = withEntropy ? new float[targets.Length] : [];
            total += loss(micro, logProbs, entropy, gradient, entropyGradient);
            model.Backward(gradient, entropyGradient);
        }

        float norm = GradientClipping.ClipByGlobalNorm(model.TrainableParameters, gradClip);
        optimizer.Step(learningRate);
        return (total, norm);
    }

    /// <summary>Log-probs of each sequence's targets under the current weights, without a backward pass.</summary>
    public float[] LogProbs(IReadOnlyList<PolicySequence> micro)
    {
        (TokenBatch tokens, int[] targets) = Pack(micro);
        var logProbs = new float[targets.Length];
        model.ForwardLogProbs(tokens, targets, logProbs);
        return logProbs;
    }

    public static (TokenBatch Tokens, int[] Targets) Pack(IReadOnlyList<PolicySequence> sequences)
    {
        int total = 0;
        foreach (PolicySequence s in sequences)
        {
            total += s.Length;
        }

        var inputs = new int[total];
        var targets = new int[total];
        var lengths = new int[sequences.Count];
        int at = 0;
        for (int i = 0; i < sequences.Count; i++)
        {
            sequences[i].Inputs.CopyTo(inputs, at);
            sequences[i].Targets.CopyTo(targets, at);
            lengths[i] = sequences[i].Length;
            at += lengths[i];
        }

        return (new TokenBatch(inputs, lengths), targets);
    }
}
