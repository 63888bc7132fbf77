using System.Numerics.Tensors;
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
        {
            if ((uint)targets[t] >= (uint)vocab)
                throw new ArgumentOutOfRangeException(nameof(targets), targets[t], $"target {t} is {targets[t]}, outside the vocabulary of {vocab}");
        }

        ws.LogitsRowsFromForward = 0;
        for (int r0 = 0; r0 < rows; r0 += chunkRows)
        {
            int c = Math.Min(chunkRows, rows - r0);
            var logits = Workspace.Take(ref ws.Logits, c * vocab);
            Gemm.Multiply(hidden.Slice(r0 * dim, c * dim), weight, logits, c, vocab, dim, transB: true);
            ComputePool.Shared.For(c, new ForwardRows
            {
                Logits = logits, Targets = targets.Slice(r0, c), LogProbs = logProbs.Slice(r0, c),
                LogSumExp = logSumExp.Slice(r0, c), Entropy = entropy.Slice(r0, c), Vocab = vocab,
            });
        }
        if (rows <= chunkRows) ws.LogitsRowsFromForward = rows;
    }

    /// <summary>One row of the LM head forward: log-sum-exp, the target's log-prob and the entropy, from two reads of the logits.</summary>
    private ref struct ForwardRows : IParallelBody
    {
        public ReadOnlySpan<float> Logits;
        public ReadOnlySpan<int> Targets;
        public Span<float> LogProbs, LogSumExp, Entropy;
        public int Vocab;

        public readonly void Invoke(int index)
        {
            var row = Logits.Slice(index * Vocab, Vocab);
            float max = TensorPrimitives.Max(row);
            float sum = Elementwise.ExpSum(row, -max, out float weighted);
            float logSum = MathF.Log(sum);
            float lse = max + logSum;
            LogSumExp[index] = lse;
            LogProbs[index] = row[Targets[index]] - lse;
            // H = −Σ p (z − lse) = log Σ e^(z−max) − Σ e^(z−max)(z − max) / Σ e^(z−max): shifted by max, so no large cancellation.
            Entropy[index] = logSum - weighted / sum;
        }
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
            {
                if (active[i] != i)
                    ws.Logits.AsSpan(active[i] * vocab, vocab).CopyTo(ws.Logits.AsSpan(i * vocab, vocab));
            }
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
            {
                for (int i = 0; i < c; i++)
                    hidden.Slice(active[a0 + i] * dim, dim).CopyTo(ws.ChunkInput.AsSpan(i * dim, dim));
            }

            if (!retained)
                Gemm.Multiply(input, weight, logits, c, vocab, dim, transB: true);
            ComputePool.Shared.For(c, new BackwardRows
            {
                Logits = logits, ActiveRows = active.Slice(a0, c), DLogProbs = dLogProbs, DEntropy = dEntropy, Targets = targets,
                LogSumExp = logSumExp, Entropy = entropy, Vocab = vocab,
            });
            Gemm.Multiply(logits, weight, dInput, c, dim, vocab);
            if (!direct)
            {
                for (int i = 0; i < c; i++)
                    dInput.Slice(i * dim, dim).CopyTo(dHidden.Slice(active[a0 + i] * dim, dim));
            }

            if (!dWeight.IsEmpty)
                Gemm.Multiply(logits, input, dWeight, vocab, dim, c, transA: true, accumulate: true);
        }
    }

    /// <summary>
    /// One row of the LM head backward: replaces the row's logits with dL/dlogits for
    /// L = Σ_t g[t]·log p_t[target] + e[t]·H(p_t), i.e. g·(1[v = target] − p_v) − e·p_v(log p_v + H).
    /// </summary>
    private ref struct BackwardRows : IParallelBody
    {
        public Span<float> Logits;
        public ReadOnlySpan<int> ActiveRows;
        public ReadOnlySpan<float> DLogProbs, DEntropy;
        public ReadOnlySpan<int> Targets;
        public ReadOnlySpan<float> LogSumExp, Entropy;
        public int Vocab;

        public readonly void Invoke(int index)
        {
            int t = ActiveRows[index];
            float g = DLogProbs[t];
            float e = DEntropy.IsEmpty ? 0f : DEntropy[t];
            var row = Logits.Slice(index * Vocab, Vocab);
            Elementwise.LogSoftmaxGradient(row, LogSumExp[t], e == 0f ? 0f : Entropy[t], g, e);
            row[Targets[t]] += g;
        }
    }

    /// <summary>Full logits for a few rows (decoding, inspection): logits [rows, vocab] = hidden Wᵀ.</summary>
    internal static void Logits(ReadOnlySpan<float> hidden, ReadOnlySpan<float> weight, Span<float> logits, int rows, int dim, int vocab)
        => Gemm.Multiply(hidden, weight, logits, rows, vocab, dim, transB: true);
}
