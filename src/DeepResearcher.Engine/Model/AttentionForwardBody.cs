using System.Numerics.Tensors;
using DeepResearcher.Engine.Kernels;
using DeepResearcher.Engine.Threading;

namespace DeepResearcher.Engine.Model;

/// <summary>
/// One attention forward work item: a block of query rows of one head of one sequence against the keys it can see.
/// Items write disjoint context rows and log-sum-exps, so they run on the pool in any order with identical results.
/// </summary>
internal readonly ref struct AttentionForwardBody : IParallelBody
{
    private readonly ReadOnlySpan<float> _query;
    private readonly ReadOnlySpan<float> _key;
    private readonly ReadOnlySpan<float> _value;
    private readonly Span<float> _context;
    private readonly Span<float> _logSumExp;
    private readonly ReadOnlySpan<int> _items;
    private readonly AttentionShape _shape;
    private readonly TokenBatch _batch;

    public AttentionForwardBody(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value,
        Span<float> context, Span<float> logSumExp, ReadOnlySpan<int> items, AttentionShape shape, TokenBatch batch)
    {
        _query = query;
        _key = key;
        _value = value;
        _context = context;
        _logSumExp = logSumExp;
        _items = items;
        _shape = shape;
        _batch = batch;
    }

    public void Invoke(int index)
    {
        int s = _items[3 * index], h = _items[3 * index + 1], r0 = _items[3 * index + 2];
        var shape = _shape;
        int start = _batch.SequenceStarts[s], n = _batch.SequenceLengths[s], tokens = _batch.TokenCount;
        int headDim = shape.HeadDim, queryDim = shape.QueryDim, keyValueDim = shape.KeyValueDim;
        int g = h / shape.Group;
        int rows = Math.Min(shape.BlockRows, n - r0), keys = r0 + rows;
        int blockOffset = (start + r0) * queryDim + h * headDim;
        var kg = _key[(start * keyValueDim + g * headDim)..];
        var vg = _value[(start * keyValueDim + g * headDim)..];
        var scores = AttentionScratch.Scores(rows * keys);
        Span<float> inverseSums = rows <= 1024 ? stackalloc float[rows] : new float[rows];
        float scale = shape.Scale;
        Gemm.Multiply(_query[blockOffset..], queryDim, false, kg, keyValueDim, true, scores, keys, rows, keys, headDim);
        for (int i = 0; i < rows; i++)
        {
            var row = scores.Slice(i * keys, keys);
            var visible = row[..(r0 + i + 1)];
            // exp(scale·s − scale·max) in one pass; the 1/sum is applied to the context row (headDim wide), not here (keys wide).
            float max = scale * TensorPrimitives.Max(visible);
            float sum = Elementwise.ExpAffineSum(visible, scale, -max);
            row[(r0 + i + 1)..].Clear();
            inverseSums[i] = 1f / sum;
            _logSumExp[h * tokens + start + r0 + i] = max + MathF.Log(sum);
        }
        var contextBlock = _context[blockOffset..];
        Gemm.Multiply(scores, keys, false, vg, keyValueDim, false, contextBlock, queryDim, rows, headDim, keys);
        for (int i = 0; i < rows; i++)
        {
            var c = contextBlock.Slice(i * queryDim, headDim);
            TensorPrimitives.Multiply(c, inverseSums[i], c);
        }
    }
}
