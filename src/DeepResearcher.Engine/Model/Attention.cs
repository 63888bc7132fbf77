using System.Numerics.Tensors;
using DeepResearcher.Engine.Kernels;

namespace DeepResearcher.Engine.Model;

/// <summary>
/// Causal grouped-query self-attention with rotary embeddings: query head h reads key/value head
/// h / (heads / kvHeads). Probabilities are not stored: forward keeps each row's log-sum-exp and backward
/// recomputes the scores, so memory stays O(tokens · heads).
/// </summary>
public sealed class Attention
{

    private readonly int _heads;
    private readonly int _kvHeads;
    private readonly int _headDim;
    private readonly RotaryEmbedding _rope;
    private float[] _query = [];
    private float[] _key = [];
    private float[] _value = [];
    private float[] _context = [];
    private float[] _logSumExp = [];

    public Attention(string prefix, TransformerConfig config, RotaryEmbedding rope)
    {
        _heads = config.NumHeads;
        _kvHeads = config.NumKeyValueHeads;
        _headDim = config.HeadDim;
        _rope = rope;
        QProj = new Linear(prefix + ".q_proj", config.HiddenSize, config.QueryDim, config.QkvBias);
        KProj = new Linear(prefix + ".k_proj", config.HiddenSize, config.KeyValueDim, config.QkvBias);
        VProj = new Linear(prefix + ".v_proj", config.HiddenSize, config.KeyValueDim, config.QkvBias);
        OProj = new Linear(prefix + ".o_proj", config.QueryDim, config.HiddenSize, config.OutputBias);
    }

    /// <summary>Query rows per block of scores: bounds the score scratch to BlockRows × sequence length and sets the causal-skipping granularity.</summary>
    public int BlockRows { get; set; } = 64;

    public Linear QProj { get; }

    public Linear KProj { get; }

    public Linear VProj { get; }

    public Linear OProj { get; }

    private int QueryDim => _heads * _headDim;

    private int KeyValueDim => _kvHeads * _headDim;

    internal void Reserve(int tokens, int maxSequenceLength, Workspace ws)
    {
        Workspace.Take(ref _query, tokens * QueryDim);
        Workspace.Take(ref _key, tokens * KeyValueDim);
        Workspace.Take(ref _value, tokens * KeyValueDim);
        Workspace.Take(ref _context, tokens * QueryDim);
        Workspace.Take(ref _logSumExp, _heads * tokens);
        int scores = Math.Min(BlockRows, maxSequenceLength) * maxSequenceLength;
        Workspace.Take(ref ws.Scores, scores);
        Workspace.Take(ref ws.ScoreGrad, scores);
        Workspace.Take(ref ws.DContext, tokens * QueryDim);
        Workspace.Take(ref ws.DQuery, tokens * QueryDim);
        Workspace.Take(ref ws.DKey, tokens * KeyValueDim);
        Workspace.Take(ref ws.DValue, tokens * KeyValueDim);
    }

    /// <summary>y [T, hidden] = o_proj(attention(rope(q_proj x), rope(k_proj x), v_proj x)).</summary>
    internal void Forward(ReadOnlySpan<float> x, Span<float> y, TokenBatch batch, Workspace ws)
    {
        int tokens = batch.TokenCount;
        var q = Workspace.Take(ref _query, tokens * QueryDim);
        var k = Workspace.Take(ref _key, tokens * KeyValueDim);
        var v = Workspace.Take(ref _value, tokens * KeyValueDim);
        var context = Workspace.Take(ref _context, tokens * QueryDim);
        var lse = Workspace.Take(ref _logSumExp, _heads * tokens);
        QProj.Forward(x, q, tokens);
        KProj.Forward(x, k, tokens);
        VProj.Forward(x, v, tokens);
        _rope.Forward(q, batch.Positions, _heads);
        _rope.Forward(k, batch.Positions, _kvHeads);

        float scale = 1f / MathF.Sqrt(_headDim);
        int group = _heads / _kvHeads;
        for (int s = 0; s < batch.SequenceCount; s++)
        {
            int start = batch.SequenceStarts[s], n = batch.SequenceLengths[s];
            for (int h = 0; h < _heads; h++)
            {
                int g = h / group;
                var qh = q[(start * QueryDim + h * _headDim)..];
                var kg = k[(start * KeyValueDim + g * _headDim)..];
                var vg = v[(start * KeyValueDim + g * _headDim)..];
                var ch = context[(start * QueryDim + h * _headDim)..];
                // Query rows in blocks: block [r0, r1) only sees keys [0, r1), so scores are never more than BlockRows × n.
                for (int r0 = 0; r0 < n; r0 += BlockRows)
                {
                    int rows = Math.Min(BlockRows, n - r0), keys = r0 + rows;
                    var scores = Workspace.Take(ref ws.Scores, rows * keys);
                    Gemm.Multiply(qh[(r0 * QueryDim)..], QueryDim, false, kg, KeyValueDim, true, scores, keys, rows, keys, _headDim);
                    for (int i = 0; i < rows; i++)
                    {
                        var row = scores.Slice(i * keys, keys);
                        var visible = row[..(r0 + i + 1)];
                        TensorPrimitives.Multiply(visible, scale, visible);
                        float max = TensorPrimitives.Max(visible);
                        TensorPrimitives.Subtract(visible, max, visible);
                        TensorPrimitives.Exp(visible, visible);
                        float sum = TensorPrimitives.Sum(visible);
                        TensorPrimitives.Multiply(visible, 1f / sum, visible);
                        row[(r0 + i + 1)..].Clear();
                        lse[h * tokens + start + r0 + i] = max + MathF.Log(sum);
                    }
                    Gemm.Multiply(scores, keys, false, vg, KeyValueDim, false, ch[(r0 * QueryDim)..], QueryDim, rows, _headDim, keys);
                }
            }
        }
        OProj.Forward(context, y, tokens);
    }

    /// <summary>Given dy [T, hidden], writes dx [T, hidden] and accumulates every projection's gradients.</summary>
    internal void Backward(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, Span<float> dx, TokenBatch batch, Workspace ws)
    {
        int tokens = batch.TokenCount;
        var q = _query.AsSpan(0, tokens * QueryDim);
        var k = _key.AsSpan(0, tokens * KeyValueDim);
        var v = _value.AsSpan(0, tokens * KeyValueDim);
        var context = _context.AsSpan(0, tokens * QueryDim);
        var lse = _logSumExp.AsSpan(0, _heads * tokens);
        var dContext = Workspace.Take(ref ws.DContext, tokens * QueryDim);
        var dq = Workspace.Take(ref ws.DQuery, tokens * QueryDim);
        var dk = Workspace.Take(ref ws.DKey, tokens * KeyValueDim);
        var dv = Workspace.Take(ref ws.DValue, tokens * KeyValueDim);
        OProj.Backward(dy, context, dContext, tokens, accumulateDx: false, LoraScratch(ws, tokens, OProj));
        dk.Clear();
        dv.Clear();

        float scale = 1f / MathF.Sqrt(_headDim);
        int group = _heads / _kvHeads;
        for (int s = 0; s < batch.SequenceCount; s++)
        {
            int start = batch.SequenceStarts[s], n = batch.SequenceLengths[s];
            for (int h = 0; h < _heads; h++)
            {
                int g = h / group;
                int qOffset = start * QueryDim + h * _headDim;
                int kvOffset = start * KeyValueDim + g * _headDim;
                var kg = k[kvOffset..];
                var vg = v[kvOffset..];
                var dkg = dk[kvOffset..];
                var dvg = dv[kvOffset..];
                for (int r0 = 0; r0 < n; r0 += BlockRows)
                {
                    int rows = Math.Min(BlockRows, n - r0), keys = r0 + rows;
                    int blockOffset = qOffset + r0 * QueryDim;
                    var qBlock = q[blockOffset..];
                    var dContextBlock = dContext[blockOffset..];
                    var probs = Workspace.Take(ref ws.Scores, rows * keys);
                    var dScores = Workspace.Take(ref ws.ScoreGrad, rows * keys);
                    Gemm.Multiply(qBlock, QueryDim, false, kg, KeyValueDim, true, probs, keys, rows, keys, _headDim);
                    for (int i = 0; i < rows; i++)
                    {
                        var visible = probs.Slice(i * keys, r0 + i + 1);
                        TensorPrimitives.Multiply(visible, scale, visible);
                        TensorPrimitives.Subtract(visible, lse[h * tokens + start + r0 + i], visible);
                        TensorPrimitives.Exp(visible, visible);
                        probs.Slice(i * keys + r0 + i + 1, keys - r0 - i - 1).Clear();
                    }
                    Gemm.Multiply(dContextBlock, QueryDim, false, vg, KeyValueDim, true, dScores, keys, rows, keys, _headDim);
                    Gemm.Multiply(probs, keys, true, dContextBlock, QueryDim, false, dvg, KeyValueDim, keys, _headDim, rows, accumulate: true);
                    for (int i = 0; i < rows; i++)
                    {
                        // softmax backward: dS = P ∘ (dP − ⟨dO_i, O_i⟩), times the 1/√d of the forward scaling
                        float rowDot = TensorPrimitives.Dot(dContextBlock.Slice(i * QueryDim, _headDim), context.Slice(blockOffset + i * QueryDim, _headDim));
                        var p = probs.Slice(i * keys, keys);
                        var d = dScores.Slice(i * keys, keys);
                        for (int j = 0; j <= r0 + i; j++) d[j] = p[j] * (d[j] - rowDot) * scale;
                        d[(r0 + i + 1)..].Clear();
                    }
                    Gemm.Multiply(dScores, keys, false, kg, KeyValueDim, false, dq[blockOffset..], QueryDim, rows, _headDim, keys);
                    Gemm.Multiply(dScores, keys, true, qBlock, QueryDim, false, dkg, KeyValueDim, keys, _headDim, rows, accumulate: true);
                }
            }
        }
        _rope.Backward(dq, batch.Positions, _heads);
        _rope.Backward(dk, batch.Positions, _kvHeads);
        QProj.Backward(dq, x, dx, tokens, accumulateDx: false, LoraScratch(ws, tokens, QProj));
        KProj.Backward(dk, x, dx, tokens, accumulateDx: true, LoraScratch(ws, tokens, KProj));
        VProj.Backward(dv, x, dx, tokens, accumulateDx: true, LoraScratch(ws, tokens, VProj));
    }

    internal static Span<float> LoraScratch(Workspace ws, int tokens, Linear linear)
        => linear.Lora is null ? [] : Workspace.Take(ref ws.Lora, tokens * linear.Lora.Rank);
}
