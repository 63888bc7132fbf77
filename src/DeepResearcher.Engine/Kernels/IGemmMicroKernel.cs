namespace DeepResearcher.Engine.Kernels;

/// <summary>
/// A register-blocked inner kernel for <see cref="BlockedGemm{TKernel}"/>. Static members so the driver is
/// specialised per kernel and every call is direct.
/// </summary>
internal unsafe interface IGemmMicroKernel
{
    /// <summary>Maximum rows of C per call (MR).</summary>
    static abstract int Rows { get; }

    /// <summary>Columns of C per call (NR); B panels are this wide.</summary>
    static abstract int Columns { get; }

    /// <summary>Maximum rows of C per <see cref="RunDot"/> call.</summary>
    static abstract int DotRows { get; }

    /// <summary>Maximum columns of C per <see cref="RunDot"/> call.</summary>
    static abstract int DotColumns { get; }

    /// <summary>
    /// C[rows, Columns] (+)= A·B over <paramref name="depth"/>, A packed as depth × Rows, B packed as depth × Columns.
    /// </summary>
    static abstract void RunPacked(int rows, int depth, float* a, float* b, float* c, nint ldc, bool accumulate);

    /// <summary>
    /// Same product with A element (i, p) at a[i·rowStrideA + p·depthStrideA] and B row p at b + p·depthStrideB
    /// (Columns contiguous floats), so neither operand needs packing.
    /// </summary>
    static abstract void RunStrided(int rows, int depth, float* a, nint rowStrideA, nint depthStrideA, float* b, nint depthStrideB, float* c, nint ldc, bool accumulate);

    /// <summary>C[i, j] (+)= Σp A[i·lda + p]·B[j·ldb + p]: the transposed-B case where both operands run along depth.</summary>
    static abstract void RunDot(int rows, int columns, int depth, float* a, nint lda, float* b, nint ldb, float* c, nint ldc, bool accumulate);
}
