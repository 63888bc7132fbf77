using System.Buffers;
using System.Numerics.Tensors;
using DeepResearcher.Engine.Threading;

namespace DeepResearcher.Engine.Model;

/// <summary>y = w ∘ x / sqrt(mean(x²) + ε), row by row; rows are spread over the compute pool in fixed chunks.</summary>
public static class RmsNorm
{
    /// <summary>Elements per work item: small enough to split a 512-token batch into many items, large enough to dwarf the pool's per-item cost.</summary>
    private const int ChunkElements = 8192;

    internal static int RowsPerChunk(int dim) => Math.Max(1, ChunkElements / Math.Max(dim, 1));

    /// <summary>Writes y and the per-row reciprocal RMS that backward needs.</summary>
    public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, Span<float> y, Span<float> rstd, int rows, int dim, float eps)
    {
        int chunk = RowsPerChunk(dim);
        ComputePool.Shared.For((rows + chunk - 1) / chunk, new RmsNormForwardRows(x, weight, y, rstd, rows, dim, chunk, eps));
    }

    /// <summary>Adds dL/dx into <paramref name="dx"/> and, when given, dL/dw into <paramref name="dWeight"/>.</summary>
    /// <remarks>dL/dw is summed per chunk of rows, then the chunks in order: the same result whatever the thread count.</remarks>
    public static void Backward(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> rstd,
        Span<float> dx, Span<float> dWeight, int rows, int dim)
    {
        int chunk = RowsPerChunk(dim), chunks = (rows + chunk - 1) / chunk;
        bool weightGrad = !dWeight.IsEmpty;
        float[]? partials = weightGrad ? ArrayPool<float>.Shared.Rent(chunks * dim) : null;
        try
        {
            var partial = weightGrad ? partials.AsSpan(0, chunks * dim) : [];
            ComputePool.Shared.For(chunks, new RmsNormBackwardRows(dy, x, weight, rstd, dx, partial, rows, dim, chunk));
            for (int c = 0; c < chunks && weightGrad; c++)
                TensorPrimitives.Add(dWeight[..dim], partial.Slice(c * dim, dim), dWeight[..dim]);
        }
        finally
        {
            if (partials is not null) ArrayPool<float>.Shared.Return(partials);
        }
    }
}
