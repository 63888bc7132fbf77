using System.Runtime.Intrinsics;

namespace DeepResearcher.Engine.Kernels;

/// <summary>
/// Single-precision matrix multiply on row-major data:
/// C[m,n] = op(A)[m,k] · op(B)[k,n]  (+ C when <paramref name="accumulate"/>).
/// op(A) is A stored as [m, lda] or, when <paramref name="transA"/>, as [k, lda] read transposed; likewise B.
/// This is the one entry point the model code calls; the optimised kernels live behind it.
/// Large products are spread over <see cref="Threading.ComputePool.Shared"/>; calls from inside a pool loop run serially.
/// </summary>
public static class Gemm
{
    /// <summary>The fastest variant this machine accelerates; what the two variant-less overloads run.</summary>
    public static GemmVariant DefaultVariant { get; } =
        Vector512.IsHardwareAccelerated ? GemmVariant.Vector512
        : Vector256.IsHardwareAccelerated ? GemmVariant.Vector256
        : GemmVariant.Reference;

    public static void Multiply(
        ReadOnlySpan<float> a, int lda, bool transA,
        ReadOnlySpan<float> b, int ldb, bool transB,
        Span<float> c, int ldc,
        int m, int n, int k, bool accumulate = false)
        => Multiply(DefaultVariant, a, lda, transA, b, ldb, transB, c, ldc, m, n, k, accumulate);

    /// <summary>Contiguous operands: A is [m,k] ([k,m] if transA), B is [k,n] ([n,k] if transB), C is [m,n].</summary>
    public static void Multiply(
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c,
        int m, int n, int k, bool transA = false, bool transB = false, bool accumulate = false)
        => Multiply(a, transA ? m : k, transA, b, transB ? k : n, transB, c, n, m, n, k, accumulate);

    /// <summary>
    /// The strided product computed by a chosen <paramref name="variant"/>, blocked by <paramref name="tuning"/>
    /// (<see cref="GemmTuning.Default"/> when null; the reference variant ignores it): for tests, benches and comparisons.
    /// </summary>
    public static unsafe void Multiply(
        GemmVariant variant,
        ReadOnlySpan<float> a, int lda, bool transA,
        ReadOnlySpan<float> b, int ldb, bool transB,
        Span<float> c, int ldc,
        int m, int n, int k, bool accumulate = false, GemmTuning? tuning = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        CheckOperand(a.Length, lda, transA ? k : m, transA ? m : k, nameof(a), nameof(lda));
        CheckOperand(b.Length, ldb, transB ? n : k, transB ? k : n, nameof(b), nameof(ldb));
        CheckOperand(c.Length, ldc, m, n, nameof(c), nameof(ldc));

        switch (variant)
        {
            case GemmVariant.Reference:
                GemmReference.Multiply(a, lda, transA, b, ldb, transB, c, ldc, m, n, k, accumulate);
                return;
            case GemmVariant.Vector256:
            case GemmVariant.Vector512:
                fixed (float* pa = a)
                fixed (float* pb = b)
                fixed (float* pc = c)
                {
                    tuning ??= GemmTuning.Default;
                    if (variant == GemmVariant.Vector512)
                        BlockedGemm<GemmMicroKernel512>.Multiply(pa, lda, transA, pb, ldb, transB, pc, ldc, m, n, k, accumulate, tuning);
                    else
                        BlockedGemm<GemmMicroKernel256>.Multiply(pa, lda, transA, pb, ldb, transB, pc, ldc, m, n, k, accumulate, tuning);
                }
                return;
            default:
                throw new ArgumentOutOfRangeException(nameof(variant), variant, "Unknown GEMM variant.");
        }
    }

    /// <summary>Checks that a row-major operand of <paramref name="rows"/> × <paramref name="columns"/> with the given stride fits its span.</summary>
    private static void CheckOperand(int length, int leadingDimension, int rows, int columns, string operand, string leadingName)
    {
        if (leadingDimension < columns)
            throw new ArgumentOutOfRangeException(leadingName, leadingDimension, $"Leading dimension of {operand} must be at least its row length {columns}.");
        if (rows == 0 || columns == 0)
            return;
        long needed = (long)(rows - 1) * leadingDimension + columns;
        if (length < needed)
            throw new ArgumentException($"{operand} holds {length} floats but a {rows}×{columns} operand with leading dimension {leadingDimension} needs {needed}.", operand);
    }
}
