using System.Numerics.Tensors;
using DeepResearcher.Engine.Kernels;
using DeepResearcher.Engine.Threading;

namespace DeepResearcher.Engine.Model;

/// <summary>One row of the LM head forward: log-sum-exp, the target's log-prob and the entropy, from two reads of the logits.</summary>
internal readonly ref struct LmHeadForwardRows : IParallelBody
{
    private readonly ReadOnlySpan<float> _logits;
    private readonly ReadOnlySpan<int> _targets;
    private readonly Span<float> _logProbs;
    private readonly Span<float> _logSumExp;
    private readonly Span<float> _entropy;
    private readonly int _vocab;

    public LmHeadForwardRows(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> logProbs, Span<float> logSumExp, Span<float> entropy, int vocab)
    {
        _logits = logits;
        _targets = targets;
        _logProbs = logProbs;
        _logSumExp = logSumExp;
        _entropy = entropy;
        _vocab = vocab;
    }

    public void Invoke(int index)
    {
        var row = _logits.Slice(index * _vocab, _vocab);
        float max = TensorPrimitives.Max(row);
        float sum = Elementwise.ExpSum(row, -max, out float weighted);
        float logSum = MathF.Log(sum);
        float lse = max + logSum;
        _logSumExp[index] = lse;
        _logProbs[index] = row[_targets[index]] - lse;
        // H = −Σ p (z − lse) = log Σ e^(z−max) − Σ e^(z−max)(z − max) / Σ e^(z−max): shifted by max, so no large cancellation.
        _entropy[index] = logSum - weighted / sum;
    }
}
