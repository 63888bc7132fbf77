using System.Numerics.Tensors;
using DeepResearcher.Engine.Diagnostics;
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
        AttentionScratch.Scores(scores);
        AttentionScratch.ScoreGrad(scores);
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
        long t0 = KernelTimings.Start();
        QProj.Forward(x, q, tokens);
        KProj.Forward(x, k, tokens);
        VProj.Forward(x, v, tokens);
        KernelTimings.Stop(TimedKernel.QkvProjectionForward, t0);
        t0 = KernelTimings.Start();
        _rope.Forward(q, batch.Positions, _heads);
        _rope.Forward(k, batch.Positions, _kvHeads);
        KernelTimings.Stop(TimedKernel.RopeForward, t0);

        t0 = KernelTimings.Start();
        var shape = Shape;
        var items = ForwardWorkItems(batch, ws);
        ComputePool.Shared.For(items.Length / 3, new AttentionForwardBody(q, k, v, context, lse, items, shape, batch));
        KernelTimings.Stop(TimedKernel.AttentionCoreForward, t0);
        t0 = KernelTimings.Start();
        OProj.Forward(context, y, tokens);
        KernelTimings.Stop(TimedKernel.OutputProjectionForward, t0);
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
        long t0 = KernelTimings.Start();
        OProj.Backward(dy, context, dContext, tokens, accumulateDx: false, LoraScratch(ws, tokens, OProj));
        KernelTimings.Stop(TimedKernel.OutputProjectionBackward, t0);

        t0 = KernelTimings.Start();
        var shape = Shape;
        bool grouped = shape.Group > 1;
        // Query heads of one KV group all add into the same dk/dv rows: with grouping each head gets its own partial.
        var dkPartial = grouped ? Workspace.Take(ref ws.DKeyPartial, tokens * QueryDim) : dk;
        var dvPartial = grouped ? Workspace.Take(ref ws.DValuePartial, tokens * QueryDim) : dv;
        ComputePool.Shared.For(batch.SequenceCount * _heads, new AttentionBackwardBody(q, k, v, context, lse, dContext,
            dq, dkPartial, dvPartial, grouped ? QueryDim : KeyValueDim, shape, batch));
        if (grouped)
        {
            SumGroupPartials(dkPartial, dk, tokens, shape);
            SumGroupPartials(dvPartial, dv, tokens, shape);
        }
        KernelTimings.Stop(TimedKernel.AttentionCoreBackward, t0);
        t0 = KernelTimings.Start();
        _rope.Backward(dq, batch.Positions, _heads);
        _rope.Backward(dk, batch.Positions, _kvHeads);
        KernelTimings.Stop(TimedKernel.RopeBackward, t0);
        t0 = KernelTimings.Start();
        QProj.Backward(dq, x, dx, tokens, accumulateDx: false, LoraScratch(ws, tokens, QProj));
        KProj.Backward(dk, x, dx, tokens, accumulateDx: true, LoraScratch(ws, tokens, KProj));
        VProj.Backward(dv, x, dx, tokens, accumulateDx: true, LoraScratch(ws, tokens, VProj));
        KernelTimings.Stop(TimedKernel.QkvProjectionBackward, t0);
    }

    private AttentionShape Shape => new(_heads, _kvHeads, _headDim, BlockRows);

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
            for (int r0 = 0; r0 < batch.SequenceLengths[s]; r0 += BlockRows, next++)
            {
                blockSequence[next] = s;
                blockStart[next] = r0;
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
    private static void SumGroupPartials(ReadOnlySpan<float> partial, Span<float> dst, int tokens, AttentionShape shape)
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
}
