namespace DeepResearcher.Engine.Kernels;

/// <summary>
/// Single-precision matrix multiply on row-major data:
/// C[m,n] = op(A)[m,k] · op(B)[k,n]  (+ C when <paramref name="accumulate"/>).
/// op(A) is A stored as [m, lda] or, when <paramref name="transA"/>, as [k, lda] read transposed; likewise B.
/// This is the one entry point the model code calls; the optimised kernels live behind it.
/// </summary>
public static class Gemm
{
    public static void Multiply(
        ReadOnlySpan<float> a, int lda, bool transA,
        ReadOnlySpan<float> b, int ldb, bool transB,
        Span<float> c, int ldc,
        int m, int n, int k, bool accumulate = false)
        => GemmReference.Multiply(a, lda, transA, b, ldb, transB, c, ldc, m, n, k, accumulate);

    /// <summary>Contiguous operands: A is [m,k] ([k,m] if transA), B is [k,n] ([n,k] if transB), C is [m,n].</summary>
    public static void Multiply(
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c,
        int m, int n, int k, bool transA = false, bool transB = false, bool accumulate = false)
        => Multiply(a, transA ? m : k, transA, b, transB ? k : n, transB, c, n, m, n, k, accumulate);
}
