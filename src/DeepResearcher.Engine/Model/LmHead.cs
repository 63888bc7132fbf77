using System.Numerics.Tensors;
using DeepResearcher.Engine.Kernels;

namespace DeepResearcher.Engine.Model;

/// <summary>
/// Output projection fused with log-softmax, processed a chunk of rows at a time so the [tokens, vocab]
/// logits never exist at once. Forward keeps only each row's log-sum-exp; backward recomputes a chunk's
/// logits and skips rows whose incoming gradient is zero (masked tokens).
/// </summary>
public static class LmHead
{
    /// <summary>logProbs[t] = log softmax(hidden[t] · Wᵀ)[targets[t]]; also writes each row's log-sum-exp.</summary>
    internal static void ForwardLogProbs(ReadOnlySpan<float> hidden, ReadOnlySpan<float> weight, ReadOnlySpan<int> targets,
        Span<float> logProbs, Span<float> logSumExp, int dim, int vocab, int chunkRows, Workspace ws)
    {
        int rows = targets.Length;
        for (int r0 = 0; r0 < rows; r0 += chunkRows)
        {
            int c = Math.Min(chunkRows, rows - r0);
            var logits = Workspace.Take(ref ws.Logits, c * vocab);
            Gemm.Multiply(hidden.Slice(r0 * dim, c * dim), weight, logits, c, vocab, dim, transB: true);
            var tmp = Workspace.Take(ref ws.Row, vocab);
            for (int i = 0; i < c; i++)
            {
                int target = targets[r0 + i];
                if ((uint)target >= (uint)vocab)
                    throw new ArgumentOutOfRangeException(nameof(targets), target, $"target {r0 + i} is {target}, outside the vocabulary of {vocab}");
                var row = logits.Slice(i * vocab, vocab);
                float lse = LogSumExp(row, tmp);
                logSumExp[r0 + i] = lse;
                logProbs[r0 + i] = row[target] - lse;
            }
        }
    }

    /// <summary>
    /// Given dL/dlogProbs, writes dL/dhidden (zero rows where the gradient is zero) and, unless
    /// <paramref name="dWeight"/> is empty, accumulates dL/dW.
    /// </summary>
    internal static void Backward(ReadOnlySpan<float> dLogProbs, ReadOnlySpan<float> hidden, ReadOnlySpan<float> weight,
        ReadOnlySpan<int> targets, ReadOnlySpan<float> logSumExp, Span<float> dHidden, Span<float> dWeight,
        int dim, int vocab, int chunkRows, Workspace ws)
    {
        int rows = targets.Length;
        dHidden[..(rows * dim)].Clear();
        Span<int> active = rows <= 4096 ? stackalloc int[rows] : new int[rows];
        int count = 0;
        for (int t = 0; t < rows; t++)
            if (dLogProbs[t] != 0f) active[count++] = t;

        for (int a0 = 0; a0 < count; a0 += chunkRows)
        {
            int c = Math.Min(chunkRows, count - a0);
            var input = Workspace.Take(ref ws.ChunkInput, c * dim);
            var dInput = Workspace.Take(ref ws.ChunkGrad, c * dim);
            for (int i = 0; i < c; i++)
                hidden.Slice(active[a0 + i] * dim, dim).CopyTo(input.Slice(i * dim, dim));
            var logits = Workspace.Take(ref ws.Logits, c * vocab);
            Gemm.Multiply(input, weight, logits, c, vocab, dim, transB: true);
            for (int i = 0; i < c; i++)
            {
                int t = active[a0 + i];
                float g = dLogProbs[t];
                var row = logits.Slice(i * vocab, vocab);
                // d logp[target] / d logit[v] = 1[v = target] − softmax[v]
                TensorPrimitives.Subtract(row, logSumExp[t], row);
                TensorPrimitives.Exp(row, row);
                TensorPrimitives.Multiply(row, -g, row);
                row[targets[t]] += g;
            }
            Gemm.Multiply(logits, weight, dInput, c, dim, vocab);
            for (int i = 0; i < c; i++)
                dInput.Slice(i * dim, dim).CopyTo(dHidden.Slice(active[a0 + i] * dim, dim));
            if (!dWeight.IsEmpty)
                Gemm.Multiply(logits, input, dWeight, vocab, dim, c, transA: true, accumulate: true);
        }
    }

    /// <summary>Full logits for a few rows (decoding, inspection): logits [rows, vocab] = hidden Wᵀ.</summary>
    internal static void Logits(ReadOnlySpan<float> hidden, ReadOnlySpan<float> weight, Span<float> logits, int rows, int dim, int vocab)
        => Gemm.Multiply(hidden, weight, logits, rows, vocab, dim, transB: true);

    internal static float LogSumExp(ReadOnlySpan<float> row, Span<float> tmp)
    {
        float max = TensorPrimitives.Max(row);
        TensorPrimitives.Subtract(row, max, tmp);
        TensorPrimitives.Exp(tmp, tmp);
        return max + MathF.Log(TensorPrimitives.Sum(tmp));
    }
}
