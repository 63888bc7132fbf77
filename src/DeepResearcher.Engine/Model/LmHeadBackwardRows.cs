using DeepResearcher.Engine.Kernels;
using DeepResearcher.Engine.Threading;

namespace DeepResearcher.Engine.Model;

/// <summary>
/// One row of the LM head backward: replaces the row's logits with dL/dlogits for
/// L = Σ_t g[t]·log p_t[target] + e[t]·H(p_t), i.e. g·(1[v = target] − p_v) − e·p_v(log p_v + H).
/// </summary>
internal readonly ref struct LmHeadBackwardRows : IParallelBody
{
    private readonly Span<float> _logits;
    private readonly ReadOnlySpan<int> _activeRows;
    private readonly ReadOnlySpan<float> _dLogProbs;
    private readonly ReadOnlySpan<float> _dEntropy;
    private readonly ReadOnlySpan<int> _targets;
    private readonly ReadOnlySpan<float> _logSumExp;
    private readonly ReadOnlySpan<float> _entropy;
    private readonly int _vocab;

    public LmHeadBackwardRows(Span<float> logits, ReadOnlySpan<int> activeRows, ReadOnlySpan<float> dLogProbs, ReadOnlySpan<float> dEntropy,
        ReadOnlySpan<int> targets, ReadOnlySpan<float> logSumExp, ReadOnlySpan<float> entropy, int vocab)
    {
        _logits = logits;
        _activeRows = activeRows;
        _dLogProbs = dLogProbs;
        _dEntropy = dEntropy;
        _targets = targets;
        _logSumExp = logSumExp;
        _entropy = entropy;
        _vocab = vocab;
    }

    public void Invoke(int index)
    {
        int t = _activeRows[index];
        float g = _dLogProbs[t];
        float e = _dEntropy.IsEmpty ? 0f : _dEntropy[t];
        var row = _logits.Slice(index * _vocab, _vocab);
        Elementwise.LogSoftmaxGradient(row, _logSumExp[t], e == 0f ? 0f : _entropy[t], g, e);
        row[_targets[t]] += g;
    }
}
