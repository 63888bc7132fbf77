using System.Numerics.Tensors;
using DeepResearcher.Engine.Diagnostics;
using DeepResearcher.Engine.Kernels;
using DeepResearcher.Engine.Threading;

namespace DeepResearcher.Engine.Model;

/// <summary>
/// Causal grouped-query self-attention with rotary embeddings: query head h reads key/value head
/// h / (heads / kvHeads). Probabilities are not stored: forward keeps each row's log-sum-exp and backward
/// recomputes the scores, so memory stays O(tokens · heads). The (sequence, head, row block) work runs on the compute pool.
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

    /// <summary>
    /// Query rows per block of scores: bounds each compute thread's score scratch to BlockRows × sequence length, sets
    /// the causal-skipping granularity and the size of a forward work item. 64 measured fastest on the tiny bench shape.
    /// </summary>
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
        // The calling thread's score blocks; the pool's other threads size theirs on first use.
        int scores = Math.Min(BlockRows, maxSequenceLength) * maxSequenceLength;
        Scratch.Scores(scores);
        Scratch.ScoreGrad(scores);
        if (_heads > _kvHeads)
        {
            Workspace.Take(ref ws.DKeyPartial, tokens * QueryDim);
            Workspace.Take(ref ws.DValuePartial, tokens * QueryDim);
        }
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
        using (KernelTimings.Time(TimedKernel.QkvProjectionForward))
        {
            QProj.Forward(x, q, tokens);
            KProj.Forward(x, k, tokens);
            VProj.Forward(x, v, tokens);
        }
        using (KernelTimings.Time(TimedKernel.RopeForward))
        {
            _rope.Forward(q, batch.Positions, _heads);
            _rope.Forward(k, batch.Positions, _kvHeads);
        }

        using (KernelTimings.Time(TimedKernel.AttentionCoreForward))
        {
            var shape = Shape;
            var items = ForwardWorkItems(batch, ws);
            ComputePool.Shared.For(items.Length / 3, new ForwardBlock
            {
                Query = q, Key = k, Value = v, Context = context, LogSumExp = lse, Items = items, Shape = shape, Batch = batch,
            });
        }
        using (KernelTimings.Time(TimedKernel.OutputProjectionForward))
        {
            OProj.Forward(context, y, tokens);
        }
    }

    /// <summary>
    /// One attention forward work item: a block of query rows of one head of one sequence against the keys it can see.
    /// Items write disjoint context rows and log-sum-exps, so they run on the pool in any order with identical results.
    /// </summary>
    private ref struct ForwardBlock : IParallelBody
    {
        public ReadOnlySpan<float> Query, Key, Value;
        public Span<float> Context, LogSumExp;
        public ReadOnlySpan<int> Items;
        public WorkShape Shape;
        public TokenBatch Batch;

        public readonly void Invoke(int index)
        {
            int s = Items[3 * index], h = Items[3 * index + 1], r0 = Items[3 * index + 2];
            var shape = Shape;
            int start = Batch.SequenceStarts[s], n = Batch.SequenceLengths[s], tokens = Batch.TokenCount;
            int headDim = shape.HeadDim, queryDim = shape.QueryDim, keyValueDim = shape.KeyValueDim;
            int g = h / shape.Group;
            int rows = Math.Min(shape.BlockRows, n - r0), keys = r0 + rows;
            int blockOffset = (start + r0) * queryDim + h * headDim;
            var kg = Key[(start * keyValueDim + g * headDim)..];
            var vg = Value[(start * keyValueDim + g * headDim)..];
            var scores = Scratch.Scores(rows * keys);
            Span<float> inverseSums = rows <= 1024 ? stackalloc float[rows] : new float[rows];
            float scale = shape.Scale;
            Gemm.Multiply(Query[blockOffset..], queryDim, false, kg, keyValueDim, true, scores, keys, rows, keys, headDim);
            for (int i = 0; i < rows; i++)
            {
                var row = scores.Slice(i * keys, keys);
                var visible = row[..(r0 + i + 1)];
                // exp(scale·s − scale·max) in one pass; the 1/sum is applied to the context row (headDim wide), not here (keys wide).
                float max = scale * TensorPrimitives.Max(visible);
                float sum = Elementwise.ExpAffineSum(visible, scale, -max);
                row[(r0 + i + 1)..].Clear();
                inverseSums[i] = 1f / sum;
                LogSumExp[h * tokens + start + r0 + i] = max + MathF.Log(sum);
            }
            var contextBlock = Context[blockOffset..];
            Gemm.Multiply(scores, keys, false, vg, keyValueDim, false, contextBlock, queryDim, rows, headDim, keys);
            for (int i = 0; i < rows; i++)
            {
                var c = contextBlock.Slice(i * queryDim, headDim);
                TensorPrimitives.Multiply(c, inverseSums[i], c);
            }
        }
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
        using (KernelTimings.Time(TimedKernel.OutputProjectionBackward))
        {
            OProj.Backward(dy, context, dContext, tokens, accumulateDx: false, LoraScratch(ws, tokens, OProj));
        }

        using (KernelTimings.Time(TimedKernel.AttentionCoreBackward))
        {
            var shape = Shape;
            bool grouped = shape.Group > 1;
            // Query heads of one KV group all add into the same dk/dv rows: with grouping each head gets its own partial.
            var dkPartial = grouped ? Workspace.Take(ref ws.DKeyPartial, tokens * QueryDim) : dk;
            var dvPartial = grouped ? Workspace.Take(ref ws.DValuePartial, tokens * QueryDim) : dv;
            ComputePool.Shared.For(batch.SequenceCount * _heads, new BackwardHead
            {
                Query = q, Key = k, Value = v, Context = context, LogSumExp = lse, DContext = dContext, DQuery = dq,
                DKeyPartial = dkPartial, DValuePartial = dvPartial, PartialStride = grouped ? QueryDim : KeyValueDim,
                Shape = shape, Batch = batch,
            });
            if (grouped)
            {
                SumGroupPartials(dkPartial, dk, tokens, shape);
                SumGroupPartials(dvPartial, dv, tokens, shape);
            }
        }
        using (KernelTimings.Time(TimedKernel.RopeBackward))
        {
            _rope.Backward(dq, batch.Positions, _heads);
            _rope.Backward(dk, batch.Positions, _kvHeads);
        }
        using (KernelTimings.Time(TimedKernel.QkvProjectionBackward))
        {
            QProj.Backward(dq, x, dx, tokens, accumulateDx: false, LoraScratch(ws, tokens, QProj));
            KProj.Backward(dk, x, dx, tokens, accumulateDx: true, LoraScratch(ws, tokens, KProj));
            VProj.Backward(dv, x, dx, tokens, accumulateDx: true, LoraScratch(ws, tokens, VProj));
        }
    }

    /// <summary>
    /// One attention backward work item: every query block of one head of one sequence. It writes that head's dq rows
    /// and its own dk/dv contributions into per-query-head partial buffers, so no two items write the same memory;
    /// the partials of a KV group are summed afterwards in a fixed head order, which keeps the result bit-identical
    /// whatever the thread timing.
    /// </summary>
    private ref struct BackwardHead : IParallelBody
    {
        public ReadOnlySpan<float> Query, Key, Value, Context, LogSumExp, DContext;
        public Span<float> DQuery, DKeyPartial, DValuePartial;
        public int PartialStride;
        public WorkShape Shape;
        public TokenBatch Batch;

        public readonly void Invoke(int index)
        {
            var shape = Shape;
            int s = index / shape.Heads, h = index % shape.Heads;
            int start = Batch.SequenceStarts[s], n = Batch.SequenceLengths[s], tokens = Batch.TokenCount;
            int headDim = shape.HeadDim, queryDim = shape.QueryDim, keyValueDim = shape.KeyValueDim, blockRows = shape.BlockRows;
            int g = h / shape.Group;
            float scale = shape.Scale;
            int qOffset = start * queryDim + h * headDim;
            int kvOffset = start * keyValueDim + g * headDim;
            int partialOffset = start * PartialStride + (PartialStride == queryDim ? h : g) * headDim;
            var kg = Key[kvOffset..];
            var vg = Value[kvOffset..];
            var dkPartial = DKeyPartial[partialOffset..];
            var dvPartial = DValuePartial[partialOffset..];
            var lse = LogSumExp.Slice(h * tokens + start, n);
            // Last block first: it sees every key, so its dk/dv product initialises all n partial rows and later blocks add.
            bool first = true;
            for (int r0 = (n - 1) / blockRows * blockRows; r0 >= 0; r0 -= blockRows, first = false)
            {
                int rows = Math.Min(blockRows, n - r0), keys = r0 + rows;
                int blockOffset = qOffset + r0 * queryDim;
                var qBlock = Query[blockOffset..];
                var dContextBlock = DContext[blockOffset..];
                var probs = Scratch.Scores(rows * keys);
                var dScores = Scratch.ScoreGrad(rows * keys);
                Gemm.Multiply(qBlock, queryDim, false, kg, keyValueDim, true, probs, keys, rows, keys, headDim);
                Gemm.Multiply(dContextBlock, queryDim, false, vg, keyValueDim, true, dScores, keys, rows, keys, headDim);
                for (int i = 0; i < rows; i++)
                {
                    float rowDot = TensorPrimitives.Dot(dContextBlock.Slice(i * queryDim, headDim), Context.Slice(blockOffset + i * queryDim, headDim));
                    int visible = r0 + i + 1;
                    Elementwise.SoftmaxBackwardRow(probs.Slice(i * keys, visible), dScores.Slice(i * keys, visible), scale, lse[r0 + i], rowDot);
                    probs.Slice(i * keys + visible, keys - visible).Clear();
                    dScores.Slice(i * keys + visible, keys - visible).Clear();
                }
                Gemm.Multiply(probs, keys, true, dContextBlock, queryDim, false, dvPartial, PartialStride, keys, headDim, rows, accumulate: !first);
                Gemm.Multiply(dScores, keys, false, kg, keyValueDim, false, DQuery[blockOffset..], queryDim, rows, headDim, keys);
                Gemm.Multiply(dScores, keys, true, qBlock, queryDim, false, dkPartial, PartialStride, keys, headDim, rows, accumulate: !first);
            }
        }
    }

    private WorkShape Shape => new(_heads, _kvHeads, _headDim, BlockRows);

    /// <summary>
    /// (sequence, head, first row) of every forward block, the largest blocks (most keys) first so that the pool's
    /// dynamic claiming ends with small items and the threads finish together.
    /// </summary>
    private ReadOnlySpan<int> ForwardWorkItems(TokenBatch batch, Workspace ws)
    {
        int blocks = 0;
        for (int s = 0; s < batch.SequenceCount; s++) blocks += (batch.SequenceLengths[s] + BlockRows - 1) / BlockRows;
        if (ws.AttentionItems.Length < 3 * blocks * _heads) ws.AttentionItems = new int[3 * blocks * _heads];
        if (ws.AttentionBlockOrder.Length < 2 * blocks) ws.AttentionBlockOrder = new int[2 * blocks];
        var negativeKeys = ws.AttentionBlockOrder.AsSpan(0, blocks);
        var blockCodes = ws.AttentionBlockOrder.AsSpan(blocks, blocks);
        int next = 0;
        for (int s = 0; s < batch.SequenceCount; s++)
        {
            int n = batch.SequenceLengths[s];
            for (int r0 = 0; r0 < n; r0 += BlockRows, next++)
            {
                negativeKeys[next] = -(r0 + Math.Min(BlockRows, n - r0));
                blockCodes[next] = next;
            }
        }
        // Sorting only changes which thread computes a block, never what a block computes.
        negativeKeys.Sort(blockCodes);
        Span<int> blockSequence = blocks <= 2048 ? stackalloc int[blocks] : new int[blocks];
        Span<int> blockStart = blocks <= 2048 ? stackalloc int[blocks] : new int[blocks];
        next = 0;
        for (int s = 0; s < batch.SequenceCount; s++)
        {
            for (int r0 = 0; r0 < batch.SequenceLengths[s]; r0 += BlockRows, next++)
            {
                blockSequence[next] = s;
                blockStart[next] = r0;
            }
        }

        var items = ws.AttentionItems.AsSpan(0, 3 * blocks * _heads);
        int item = 0;
        foreach (int b in blockCodes)
        {
            for (int h = 0; h < _heads; h++, item++)
            {
                items[3 * item] = blockSequence[b];
                items[3 * item + 1] = h;
                items[3 * item + 2] = blockStart[b];
            }
        }
        return items;
    }

    /// <summary>dst[t, g] = Σ over the query heads h of group g, in ascending order, of partial[t, h].</summary>
    private static void SumGroupPartials(ReadOnlySpan<float> partial, Span<float> dst, int tokens, WorkShape shape)
    {
        int headDim = shape.HeadDim, group = shape.Group;
        for (int t = 0; t < tokens; t++)
        {
            for (int g = 0; g < shape.KeyValueHeads; g++)
            {
                var target = dst.Slice(t * shape.KeyValueDim + g * headDim, headDim);
                int source = t * shape.QueryDim + g * group * headDim;
                partial.Slice(source, headDim).CopyTo(target);
                for (int j = 1; j < group; j++)
                    TensorPrimitives.Add(target, partial.Slice(source + j * headDim, headDim), target);
            }
        }
    }

    internal static Span<float> LoraScratch(Workspace ws, int tokens, Linear linear)
        => linear.Lora is null ? [] : Workspace.Take(ref ws.Lora, tokens * linear.Lora.Rank);

    /// <summary>The sizes an attention work item needs: heads, the query-heads-per-KV-head group, widths and the score block.</summary>
    private readonly record struct WorkShape(int Heads, int KeyValueHeads, int HeadDim, int BlockRows)
    {
        public int Group => Heads / KeyValueHeads;

        public int QueryDim => Heads * HeadDim;

        public int KeyValueDim => KeyValueHeads * HeadDim;

        public float Scale => 1f / MathF.Sqrt(HeadDim);
    }

    /// <summary>
    /// Score buffers private to each compute thread: attention work items run concurrently on the pool, each needing a
    /// block of scores and score gradients. Thread-static rather than per work item, so memory is threads × one block;
    /// the pool's threads are persistent, so the buffers are allocated once per thread and reused.
    /// </summary>
    private static class Scratch
    {
        [ThreadStatic] private static float[]? _scores;
        [ThreadStatic] private static float[]? _scoreGrad;

        public static Span<float> Scores(int length)
        {
            if (_scores is null || _scores.Length < length) _scores = new float[length];
            return _scores.AsSpan(0, length);
        }

        public static Span<float> ScoreGrad(int length)
        {
            if (_scoreGrad is null || _scoreGrad.Length < length) _scoreGrad = new float[length];
            return _scoreGrad.AsSpan(0, length);
        }
    }
}
