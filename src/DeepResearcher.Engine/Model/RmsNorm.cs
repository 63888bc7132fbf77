using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
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
        ComputePool.Shared.For((rows + chunk - 1) / chunk, new ForwardRows
        {
            X = x, Weight = weight, Y = y, Rstd = rstd, Rows = rows, Dim = dim, Chunk = chunk, Eps = eps,
        });
    }

    /// <summary>RMSNorm forward of one chunk of rows.</summary>
    private ref struct ForwardRows : IParallelBody
    {
        public ReadOnlySpan<float> X, Weight;
        public Span<float> Y, Rstd;
        public int Rows, Dim, Chunk;
        public float Eps;

        public readonly void Invoke(int index)
        {
            int dim = Dim;
            var w = Weight[..dim];
            int end = Math.Min(Rows, (index + 1) * Chunk);
            for (int r = index * Chunk; r < end; r++)
            {
                var xr = X.Slice(r * dim, dim);
                var yr = Y.Slice(r * dim, dim);
                float s = 1f / MathF.Sqrt(TensorPrimitives.SumOfSquares(xr) / dim + Eps);
                Rstd[r] = s;
                TensorPrimitives.Multiply(xr, s, yr);
                TensorPrimitives.Multiply(yr, w, yr);
            }
        }
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
            ComputePool.Shared.For(chunks, new BackwardRows
            {
                Dy = dy, X = x, Weight = weight, Rstd = rstd, Dx = dx, WeightPartials = partial, Rows = rows, Dim = dim,
                Chunk = chunk,
            });
            for (int c = 0; c < chunks && weightGrad; c++)
                TensorPrimitives.Add(dWeight[..dim], partial.Slice(c * dim, dim), dWeight[..dim]);
        }
        finally
        {
            if (partials is not null) ArrayPool<float>.Shared.Return(partials);
        }
    }

    /// <summary>
    /// RMSNorm backward of one chunk of rows: dx += s·(w∘dy) − x·s³·⟨w∘dy, x⟩/dim, and the chunk's own dL/dw
    /// (Σ over its rows of dy∘x·s) written to its slice of the partial buffer, or nothing when that buffer is empty.
    /// </summary>
    private ref struct BackwardRows : IParallelBody
    {
        public ReadOnlySpan<float> Dy, X, Weight, Rstd;
        public Span<float> Dx, WeightPartials;
        public int Rows, Dim, Chunk;

        public readonly void Invoke(int index)
        {
            int dim = Dim;
            var w = Weight[..dim];
            bool weightGrad = !WeightPartials.IsEmpty;
            var dw = weightGrad ? WeightPartials.Slice(index * dim, dim) : [];
            dw.Clear();
            int end = Math.Min(Rows, (index + 1) * Chunk);
            for (int r = index * Chunk; r < end; r++)
            {
                var xr = X.Slice(r * dim, dim);
                var dyr = Dy.Slice(r * dim, dim);
                var dxr = Dx.Slice(r * dim, dim);
                float s = Rstd[r];
                float dot = WeightedDot(w, dyr, xr);
                float c = dot * s * s * s / dim;
                int i = 0;
                if (Vector512.IsHardwareAccelerated)
                {
                    var sv = Vector512.Create(s);
                    var cv = Vector512.Create(c);
                    for (; i + 16 <= dim; i += 16)
                    {
                        var xv = Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(xr), (nuint)i);
                        var dyv = Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(dyr), (nuint)i);
                        var wv = Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(w), (nuint)i);
                        (Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(dxr), (nuint)i) + sv * wv * dyv - xv * cv).StoreUnsafe(ref MemoryMarshal.GetReference(dxr), (nuint)i);
                        if (weightGrad)
                            (Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(dw), (nuint)i) + dyv * xv * sv).StoreUnsafe(ref MemoryMarshal.GetReference(dw), (nuint)i);
                    }
                }
                for (; i < dim; i++)
                {
                    dxr[i] += s * w[i] * dyr[i] - xr[i] * c;
                    if (weightGrad) dw[i] += dyr[i] * xr[i] * s;
                }
            }
        }

        /// <summary>Σ w[i]·dy[i]·x[i], 16 lanes then a fixed-order horizontal sum.</summary>
        private static float WeightedDot(ReadOnlySpan<float> w, ReadOnlySpan<float> dy, ReadOnlySpan<float> x)
        {
            int i = 0;
            float sum = 0f;
            if (Vector512.IsHardwareAccelerated && w.Length >= 16)
            {
                var acc = Vector512<float>.Zero;
                for (; i + 16 <= w.Length; i += 16)
                    acc += Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(w), (nuint)i) * Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(dy), (nuint)i) * Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(x), (nuint)i);
                sum = Vector512.Sum(acc);
            }
            for (; i < w.Length; i++) sum += w[i] * dy[i] * x[i];
            return sum;
        }
    }
}
