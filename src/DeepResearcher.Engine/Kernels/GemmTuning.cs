namespace DeepResearcher.Engine.Kernels;

/// <summary>
/// The cache-blocking sizes and path thresholds of the blocked GEMM driver, in one immutable value. The model code
/// always runs <see cref="Default"/>, measured on the 2-core Zen 5 dev box (bench/GemmBench --tune); benches and
/// tests pass another to <see cref="Gemm.Multiply(GemmVariant, ReadOnlySpan{float}, int, bool, ReadOnlySpan{float}, int, bool, Span{float}, int, int, int, int, bool, GemmTuning?)"/>.
/// </summary>
public sealed record GemmTuning
{
    public static GemmTuning Default { get; } = new();

    /// <summary>
    /// Upper bound on the depth of one packed block (KC); depth is split into equal blocks no deeper than this.
    /// 256 measured best: C tiles are loaded and stored once per block, and the 64 KB B micro-panel streams from L2 fast enough.
    /// </summary>
    public int DepthBlock { get; init => field = Positive(value, nameof(DepthBlock)); } = 256;

    /// <summary>Rows of packed A one tile reuses against a B micro-panel (MC): 96 × 256 floats of A stay in L2.</summary>
    public int RowBlock { get; init => field = Positive(value, nameof(RowBlock)); } = 96;

    /// <summary>Columns packed per block (NC): 2048 × 256 floats of packed B, measured best with KC 256 and MC 96.</summary>
    public int ColumnBlock { get; init => field = Positive(value, nameof(ColumnBlock)); } = 2048;

    /// <summary>
    /// At or below this many rows with row-major B, nothing is packed: B is read in place and work is split
    /// mostly over columns. Measured: unpacked wins clearly up to m = 64 and ties packing at 128.
    /// </summary>
    public int DirectMaxRows { get; init => field = NotNegative(value, nameof(DirectMaxRows)); } = 96;

    /// <summary>
    /// At or below this many rows with transposed B ([n, k]), C is computed as dot products of rows.
    /// Measured: dot products win at m = 16, packing with an in-register transpose wins from m = 32.
    /// </summary>
    public int DotMaxRows { get; init => field = NotNegative(value, nameof(DotMaxRows)); } = 24;

    /// <summary>Depth block of the unpacked path: bounds the B columns streamed per pass to L2 size.</summary>
    public int DirectDepthBlock { get; init => field = Positive(value, nameof(DirectDepthBlock)); } = 512;

    private static int Positive(int value, string name)
    {
        if (value < 1)
            throw new ArgumentOutOfRangeException(name, value, $"GEMM tuning {name} is a block size and must be at least 1.");
        return value;
    }

    private static int NotNegative(int value, string name)
    {
        if (value < 0)
            throw new ArgumentOutOfRangeException(name, value, $"GEMM tuning {name} is a row threshold and must be 0 (path off) or more.");
        return value;
    }
}
