using System.Numerics.Tensors;
using DeepResearcher.Engine.Kernels;
using DeepResearcher.Engine.Model;
using DeepResearcher.Engine.Threading;

namespace DeepResearcher.Engine.Sampling;

/// <summary>
/// Causal grouped-query attention of new query rows over their sequence's KV cache, one (sequence, head) pair per
/// iteration: row i of sequence s sits at position cache.Length + i and sees keys [0, cache.Length + i].
/// The cache already holds the new rows' keys and values; Length is advanced by the caller afterwards.
/// </summary>
internal readonly ref struct CachedAttention : IParallelBody
{
    [ThreadStatic] private static float[]? _scores;

    private readonly ReadOnlySpan<float> _query;
    private readonly Span<float> _context;
    private readonly ReadOnlySpan<KvCache> _caches;
    private readonly ReadOnlySpan<int> _rowStarts;
    private readonly ReadOnlySpan<int> _counts;
    private readonly int _layer, _heads, _group, _headDim, _queryDim, _kvDim;
    private readonly float _scale;

    public CachedAttention(ReadOnlySpan<float> query, Span<float> context, ReadOnlySpan<KvCache> caches,
        ReadOnlySpan<int> rowStarts, ReadOnlySpan<int> counts, int layer, TransformerConfig config)
    {
        _query = query;
        _context = context;
        _caches = caches;
        _rowStarts = rowStarts;
        _counts = counts;
        _layer = layer;
        _heads = config.NumHeads;
        _group = config.NumHeads / config.NumKeyValueHeads;
        _headDim = config.HeadDim;
        _queryDim = config.QueryDim;
        _kvDim = config.KeyValueDim;
        _scale = 1f / MathF.Sqrt(_headDim);
    }

    /// <summary>Query rows per block of a multi-token (prefill) pass: scores are at most this many rows × visible keys.</summary>
    private const int BlockRows = 32;

    public void Invoke(int index)
    {
        int s = index / _heads, h = index % _heads, g = h / _group;
        var cache = _caches[s];
        ReadOnlySpan<float> keys = cache.Keys(_layer)[(g * _headDim)..], values = cache.Values(_layer)[(g * _headDim)..];
        int cached = cache.Length, count = _counts[s];
        int rows = Math.Min(count, BlockRows), visibleMax = cached + count;
        var buffer = _scores;
        if (buffer is null || buffer.Length < rows * visibleMax)
            _scores = buffer = new float[Math.Max(rows * visibleMax, 2 * (buffer?.Length ?? 512))];
        var query = _query[(_rowStarts[s] * _queryDim + h * _headDim)..];
        var context = _context[(_rowStarts[s] * _queryDim + h * _headDim)..];
        if (count == 1)
        {
            DecodeRow(query[.._headDim], keys, values, buffer.AsSpan(0, cached + 1), context[.._headDim]);
            return;
        }
        // Prefill: blocks of query rows against every key they can see, as two small GEMMs (this runs inside a pool
        // loop, so they run serially on this thread).
        for (int r0 = 0; r0 < count; r0 += BlockRows)
        {
            int n = Math.Min(BlockRows, count - r0), visible = cached + r0 + n;
            var scores = buffer.AsSpan(0, n * visible);
            Gemm.Multiply(query[(r0 * _queryDim)..], _queryDim, false, keys, _kvDim, true, scores, visible, n, visible, _headDim);
            for (int i = 0; i < n; i++)
            {
                var row = scores.Slice(i * visible, visible);
                Softmax(row[..(cached + r0 + i + 1)]);
                row[(cached + r0 + i + 1)..].Clear();
            }
            Gemm.Multiply(scores, visible, false, values, _kvDim, false, context[(r0 * _queryDim)..], _queryDim, n, _headDim, visible);
        }
    }

    /// <summary>One query row against all cached keys: dot products and a weighted sum, no GEMM call overhead.</summary>
    private void DecodeRow(ReadOnlySpan<float> q, ReadOnlySpan<float> keys, ReadOnlySpan<float> values, Span<float> scores, Span<float> context)
    {
        for (int j = 0; j < scores.Length; j++)
            scores[j] = TensorPrimitives.Dot(q, keys.Slice(j * _kvDim, _headDim));
        Softmax(scores);
        context.Clear();
        for (int j = 0; j < scores.Length; j++)
            TensorPrimitives.MultiplyAdd(values.Slice(j * _kvDim, _headDim), scores[j], context, context);
    }

    private void Softmax(Span<float> scores)
    {
        TensorPrimitives.Multiply(scores, _scale, scores);
        float max = TensorPrimitives.Max(scores);
        TensorPrimitives.Subtract(scores, max, scores);
        TensorPrimitives.Exp(scores, scores);
        TensorPrimitives.Multiply(scores, 1f / TensorPrimitives.Sum(scores), scores);
    }
}
