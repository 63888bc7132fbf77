using System.Numerics.Tensors;
using DeepResearcher.Engine.Kernels;
using DeepResearcher.Engine.Threading;

namespace DeepResearcher.Engine.Model;

/// <summary>
/// One attention backward work item: every query block of one head of one sequence. It writes that head's dq rows
/// and its own dk/dv contributions into per-query-head partial buffers, so no two items write the same memory;
/// the partials of a KV group are summed afterwards in a fixed head order, which keeps the result bit-identical
/// whatever the thread timing.
/// </summary>
internal readonly ref struct AttentionBackwardBody : IParallelBody
{
    private readonly ReadOnlySpan<float> _query;
    private readonly ReadOnlySpan<float> _key;
    private readonly ReadOnlySpan<float> _value;
    private readonly ReadOnlySpan<float> _context;
    private readonly ReadOnlySpan<float> _logSumExp;
    private readonly ReadOnlySpan<float> _dContext;
    private readonly Span<float> _dQuery;
    private readonly Span<float> _dKeyPartial;
    private readonly Span<float> _dValuePartial;
    private readonly int _partialStride;
    private readonly AttentionShape _shape;
    private readonly TokenBatch _batch;

    /// <param name="dKeyPartial">[tokens, partialStride]: head h's dk at column h·headDim, or the KV head's column when partialStride is the KV width (no grouping).</param>
    public AttentionBackwardBody(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value,
        ReadOnlySpan<float> context, ReadOnlySpan<float> logSumExp, ReadOnlySpan<float> dContext,
        Span<float> dQuery, Span<float> dKeyPartial, Span<float> dValuePartial, int partialStride, AttentionShape shape, TokenBatch batch)
    {
        _query = query;
        _key = key;
        _value = value;
        _context = context;
        _logSumExp = logSumExp;
        _dContext = dContext;
        _dQuery = dQuery;
        _dKeyPartial = dKeyPartial;
        _dValuePartial = dValuePartial;
        _partialStride = partialStride;
        _shape = shape;
        _batch = batch;
    }

    public void Invoke(int index)
    {
        var shape = _shape;
        int s = index / shape.Heads, h = index % shape.Heads;
        int start = _batch.SequenceStarts[s], n = _batch.SequenceLengths[s], tokens = _batch.TokenCount;
        int headDim = shape.HeadDim, queryDim = shape.QueryDim, keyValueDim = shape.KeyValueDim, blockRows = shape.BlockRows;
        int g = h / shape.Group;
        float scale = shape.Scale;
        int qOffset = start * queryDim + h * headDim;
        int kvOffset = start * keyValueDim + g * headDim;
        int partialOffset = start * _partialStride + (_partialStride == queryDim ? h : g) * headDim;
        var kg = _key[kvOffset..];
        var vg = _value[kvOffset..];
        var dkPartial = _dKeyPartial[partialOffset..];
        var dvPartial = _dValuePartial[partialOffset..];
        var lse = _logSumExp.Slice(h * tokens + start, n);
        // Last block first: it sees every key, so its dk/dv product initialises all n partial rows and later blocks add.
        bool first = true;
        for (int r0 = (n - 1) / blockRows * blockRows; r0 >= 0; r0 -= blockRows, first = false)
        {
            int rows = Math.Min(blockRows, n - r0), keys = r0 + rows;
            int blockOffset = qOffset + r0 * queryDim;
            var qBlock = _query[blockOffset..];
            var dContextBlock = _dContext[blockOffset..];
            var probs = AttentionScratch.Scores(rows * keys);
            var dScores = AttentionScratch.ScoreGrad(rows * keys);
            Gemm.Multiply(qBlock, queryDim, false, kg, keyValueDim, true, probs, keys, rows, keys, headDim);
            Gemm.Multiply(dContextBlock, queryDim, false, vg, keyValueDim, true, dScores, keys, rows, keys, headDim);
            for (int i = 0; i < rows; i++)
            {
                float rowDot = TensorPrimitives.Dot(dContextBlock.Slice(i * queryDim, headDim), _context.Slice(blockOffset + i * queryDim, headDim));
                int visible = r0 + i + 1;
                Elementwise.SoftmaxBackwardRow(probs.Slice(i * keys, visible), dScores.Slice(i * keys, visible), scale, lse[r0 + i], rowDot);
                probs.Slice(i * keys + visible, keys - visible).Clear();
                dScores.Slice(i * keys + visible, keys - visible).Clear();
            }
            Gemm.Multiply(probs, keys, true, dContextBlock, queryDim, false, dvPartial, _partialStride, keys, headDim, rows, accumulate: !first);
            Gemm.Multiply(dScores, keys, false, kg, keyValueDim, false, _dQuery[blockOffset..], queryDim, rows, headDim, keys);
            Gemm.Multiply(dScores, keys, true, qBlock, queryDim, false, dkPartial, _partialStride, keys, headDim, rows, accumulate: !first);
        }
    }
}
