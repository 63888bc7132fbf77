using DeepResearcher.Engine.Kernels;
using DeepResearcher.Engine.Threading;

namespace DeepResearcher.Engine.Model;

/// <summary>
/// Output projection fused with log-softmax, processed a chunk of rows at a time so the [tokens, vocab]
/// logits never exist at once. Forward keeps only each row's log-sum-exp and entropy; backward recomputes a chunk's
/// logits and skips rows whose incoming gradients are all zero (masked tokens). When the caller allows the whole
/// batch's logits to be kept (<paramref name="retainAll"/>: they fit a memory budget), forward computes them in one
/// product and backward reuses them: one GEMM fewer, and the dW product runs once over all rows instead of once per
/// chunk. The per-row softmax work runs on the compute pool.
/// </summary>
public static class LmHead
{
    /// <summary>
    /// logProbs[t] = log softmax(hidden[t] · Wᵀ)[targets[t]]; also writes each row's log-sum-exp and the entropy
    /// −Σ p log p of its softmax.
    /// </summary>
    internal static void ForwardLogProbs(ReadOnlySpan<float> hidden, ReadOnlySpan<float> weight, ReadOnlySpan<int> targets,
        Span<float> logProbs, Span<float> logSumExp, Span<float> entropy, int dim, int vocab, int chunkRows, Workspace ws,
        bool retainAll = false)
    {
        int rows = targets.Length;
        if (retainAll) chunkRows = Math.Max(rows, 1);
        for (int t = 0; t < rows; t++)
            if ((uint)targets[t] >= (uint)vocab)
                throw new ArgumentOutOfRangeException(nameof(targets), targets[t], $"target {t} is {targets[t]}, outside the vocabulary of {vocab}");
        ws.LogitsRowsFromForward = 0;
        for (int r0 = 0; r0 < rows; r0 += chunkRows)
        {
            int c = Math.Min(chunkRows, rows - r0);
            var logits = Workspace.Take(ref ws.Logits, c * vocab);
            Gemm.Multiply(hidden.Slice(r0 * dim, c * dim), weight, logits, c, vocab, dim, transB: true);
            ComputePool.Shared.For(c, new LmHeadForwardRows(logits, targets.Slice(r0, c), logProbs.Slice(r0, c),
                logSumExp.Slice(r0, c), entropy.Slice(r0, c), vocab));
        }
        if (rows <= chunkRows) ws.LogitsRowsFromForward = rows;
    }

    /// <summary>
    /// Given dL/dlogProbs and, unless empty, dL/dentropy, writes dL/dhidden (zero rows where both are zero) and, unless
    /// <paramref name="dWeight"/> is empty, accumulates dL/dW.
    /// </summary>
    internal static void Backward(ReadOnlySpan<float> dLogProbs, ReadOnlySpan<float> dEntropy, ReadOnlySpan<float> hidden,
        ReadOnlySpan<float> weight, ReadOnlySpan<int> targets, ReadOnlySpan<float> logSumExp, ReadOnlySpan<float> entropy,
        Span<float> dHidden, Span<float> dWeight, int dim, int vocab, int chunkRows, Workspace ws)
    {
        int rows = targets.Length;
        bool hasEntropyGrad = !dEntropy.IsEmpty;
        dHidden[..(rows * dim)].Clear();
        Span<int> active = rows <= 4096 ? stackalloc int[rows] : new int[rows];
        int count = 0;
        for (int t = 0; t < rows; t++)
            if (dLogProbs[t] != 0f || (hasEntropyGrad && dEntropy[t] != 0f)) active[count++] = t;
        // The forward's logits of every row are still in the workspace: no recomputing, and all active rows form one chunk.
        bool retained = rows > 0 && ws.LogitsRowsFromForward == rows;
        ws.LogitsRowsFromForward = 0;
        if (retained)
        {
            chunkRows = Math.Max(count, 1);
            // Move the active rows to the front, in order: row active[i] ≥ i, so no row is overwritten before it is moved.
            for (int i = 0; i < count; i++)
                if (active[i] != i)
                    ws.Logits.AsSpan(active[i] * vocab, vocab).CopyTo(ws.Logits.AsSpan(i * vocab, vocab));
        }
        // All rows active and retained: the chunk is the batch itself, nothing to gather or scatter.
        bool direct = retained && count == rows;

        for (int a0 = 0; a0 < count; a0 += chunkRows)
        {
            int c = Math.Min(chunkRows, count - a0);
            var input = direct ? hidden[..(c * dim)] : Workspace.Take(ref ws.ChunkInput, c * dim);
            var dInput = direct ? dHidden[..(c * dim)] : Workspace.Take(ref ws.ChunkGrad, c * dim);
            var logits = Workspace.Take(ref ws.Logits, c * vocab);
            if (!direct)
                for (int i = 0; i < c; i++)
                    hidden.Slice(active[a0 + i] * dim, dim).CopyTo(ws.ChunkInput.AsSpan(i * dim, dim));
            if (!retained)
                Gemm.Multiply(input, weight, logits, c, vocab, dim, transB: true);
            ComputePool.Shared.For(c, new LmHeadBackwardRows(logits, active.Slice(a0, c), dLogProbs, dEntropy, targets,
                logSumExp, entropy, vocab));
            Gemm.Multiply(logits, weight, dInput, c, dim, vocab);
            if (!direct)
                for (int i = 0; i < c; i++)
                    dInput.Slice(i * dim, dim).CopyTo(dHidden.Slice(active[a0 + i] * dim, dim));
            if (!dWeight.IsEmpty)
                Gemm.Multiply(logits, input, dWeight, vocab, dim, c, transA: true, accumulate: true);
        }
    }

    /// <summary>Full logits for a few rows (decoding, inspection): logits [rows, vocab] = hidden Wᵀ.</summary>
    internal static void Logits(ReadOnlySpan<float> hidden, ReadOnlySpan<float> weight, Span<float> logits, int rows, int dim, int vocab)
        => Gemm.Multiply(hidden, weight, logits, rows, vocab, dim, transB: true);
}
