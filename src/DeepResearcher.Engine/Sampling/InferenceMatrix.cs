using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using DeepResearcher.Engine.Kernels;
using DeepResearcher.Engine.Threading;

namespace DeepResearcher.Engine.Sampling;

/// <summary>
/// A row-major [rows, columns] weight matrix W for inference, multiplied as y = x Wᵀ in float32; stored either as the
/// model's own float32 array or as a bfloat16 copy. Decode steps go through a streaming kernel that reads each weight
/// row once and dots it with every input row (memory-bound at batch 1, so bfloat16 halves the time); prompts go to
/// <see cref="Gemm"/> (bfloat16 blocks widened first). The streaming kernel sums each output in the same order whatever
/// the number of input rows, so a sequence's decode logits are bit-identical however it is batched.
/// </summary>
internal sealed unsafe class InferenceMatrix
{
    private const int RowsPerTask = 16;
    private const int WidenedBlockRows = 256;

    private readonly float[] _source;
    private readonly ushort[]? _bf16;
    private float[] _widened = [];

    public InferenceMatrix(float[] source, int rows, int columns, InferenceWeightType type)
    {
        if (source.Length != rows * columns)
            throw new ArgumentException($"expected {rows}x{columns} values, got {source.Length}", nameof(source));
        _source = source;
        Rows = rows;
        Columns = columns;
        if (type == InferenceWeightType.BFloat16)
        {
            _bf16 = new ushort[source.Length];
            Refresh();
        }
    }

    public int Rows { get; }

    public int Columns { get; }

    /// <summary>Re-rounds the bfloat16 copy from the float32 source (nearest even; NaN stays NaN). No-op for float32.</summary>
    public void Refresh()
    {
        if (_bf16 is null) return;
        var bits = MemoryMarshal.Cast<float, uint>(_source.AsSpan());
        for (int i = 0; i < bits.Length; i++)
        {
            uint b = bits[i];
            _bf16[i] = (b & 0x7FFFFFFF) > 0x7F800000 ? (ushort)((b >> 16) | 0x40) : (ushort)((b + 0x7FFF + ((b >> 16) & 1)) >> 16);
        }
    }

    /// <summary>y [inputRows, Rows] = x [inputRows, Columns] · Wᵀ.</summary>
    public void MultiplyTransposed(ReadOnlySpan<float> x, Span<float> y, int inputRows, bool streaming)
    {
        if (x.Length < inputRows * Columns || y.Length < inputRows * Rows)
            throw new ArgumentException($"x needs {inputRows}x{Columns} and y {inputRows}x{Rows} values");
        if (!streaming)
        {
            if (_bf16 is null) Gemm.Multiply(x, _source, y, inputRows, Rows, Columns, transB: true);
            else MultiplyWidened(x, y, inputRows);
            return;
        }
        fixed (float* px = x)
        fixed (float* py = y)
        fixed (float* pf = _source)
        fixed (ushort* pb = _bf16)
        {
            var body = new StreamingBody(px, py, pf, pb, inputRows, Rows, Columns);
            int tasks = (Rows + RowsPerTask - 1) / RowsPerTask;
            // Waking the pool costs more than a tiny product.
            if ((long)Rows * Columns * inputRows < 1 << 18)
                for (int t = 0; t < tasks; t++) body.Invoke(t);
            else
                ComputePool.Shared.For(tasks, body);
        }
    }

    private void MultiplyWidened(ReadOnlySpan<float> x, Span<float> y, int inputRows)
    {
        int blockRows = Math.Min(WidenedBlockRows, Rows);
        if (_widened.Length < blockRows * Columns) _widened = new float[blockRows * Columns];
        for (int r0 = 0; r0 < Rows; r0 += blockRows)
        {
            int n = Math.Min(blockRows, Rows - r0);
            var block = MemoryMarshal.Cast<float, uint>(_widened.AsSpan(0, n * Columns));
            var source = _bf16.AsSpan(r0 * Columns, n * Columns);
            for (int i = 0; i < source.Length; i++) block[i] = (uint)source[i] << 16;
            Gemm.Multiply(x, Columns, false, _widened, Columns, true, y[r0..], Rows, inputRows, n, Columns);
        }
    }

    private readonly struct StreamingBody(float* x, float* y, float* wf, ushort* wb, int inputRows, int rows, int columns) : IParallelBody
    {
        public void Invoke(int index)
        {
            int end = Math.Min(rows, (index + 1) * RowsPerTask);
            for (int o = index * RowsPerTask; o < end; o++)
            {
                // Input rows go in groups of 8, 4, 2 and 1; each row's sum is the same sequence of operations in any group.
                for (int r0 = 0; r0 < inputRows;)
                {
                    int left = inputRows - r0;
                    float* xr = x + (nint)r0 * columns;
                    float* yr = y + (nint)r0 * rows + o;
                    if (wb is not null)
                    {
                        ushort* w = wb + (nint)o * columns;
                        if (left >= 8) r0 += DotRows<Eight, BFloat16Row>(w, xr, columns, yr, rows);
                        else if (left >= 4) r0 += DotRows<Four, BFloat16Row>(w, xr, columns, yr, rows);
                        else if (left >= 2) r0 += DotRows<Two, BFloat16Row>(w, xr, columns, yr, rows);
                        else r0 += DotRows<One, BFloat16Row>(w, xr, columns, yr, rows);
                    }
                    else
                    {
                        float* w = wf + (nint)o * columns;
                        if (left >= 8) r0 += DotRows<Eight, Float32Row>(w, xr, columns, yr, rows);
                        else if (left >= 4) r0 += DotRows<Four, Float32Row>(w, xr, columns, yr, rows);
                        else if (left >= 2) r0 += DotRows<Two, Float32Row>(w, xr, columns, yr, rows);
                        else r0 += DotRows<One, Float32Row>(w, xr, columns, yr, rows);
                    }
                }
            }
        }
    }

    /// <summary>
    /// y[r·ldy] = ⟨w, x_r⟩ for TRows input rows, loading each 16 weights once for all of them. The row count is a type
    /// parameter so the JIT compiles one branch-free loop per count with the accumulators in registers.
    /// </summary>
    private static int DotRows<TRows, TWeights>(void* w, float* x, int columns, float* y, int ldy)
        where TRows : struct, IRowCount
        where TWeights : struct, IWeightRow
    {
        int n = TRows.Value;
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        int i = 0;
        for (; i + 16 <= columns; i += 16)
        {
            var wv = TWeights.Load(w, i);
            float* p = x + i;
            a0 = Vector512.FusedMultiplyAdd(wv, Vector512.Load(p), a0);
            if (n > 1) a1 = Vector512.FusedMultiplyAdd(wv, Vector512.Load(p + columns), a1);
            if (n > 2) a2 = Vector512.FusedMultiplyAdd(wv, Vector512.Load(p + 2 * columns), a2);
            if (n > 3) a3 = Vector512.FusedMultiplyAdd(wv, Vector512.Load(p + 3 * columns), a3);
            if (n > 4) a4 = Vector512.FusedMultiplyAdd(wv, Vector512.Load(p + 4 * columns), a4);
            if (n > 5) a5 = Vector512.FusedMultiplyAdd(wv, Vector512.Load(p + 5 * columns), a5);
            if (n > 6) a6 = Vector512.FusedMultiplyAdd(wv, Vector512.Load(p + 6 * columns), a6);
            if (n > 7) a7 = Vector512.FusedMultiplyAdd(wv, Vector512.Load(p + 7 * columns), a7);
        }
        float s0 = Vector512.Sum(a0), s1 = Vector512.Sum(a1), s2 = Vector512.Sum(a2), s3 = Vector512.Sum(a3);
        float s4 = Vector512.Sum(a4), s5 = Vector512.Sum(a5), s6 = Vector512.Sum(a6), s7 = Vector512.Sum(a7);
        for (; i < columns; i++)
        {
            float wi = TWeights.LoadScalar(w, i);
            float* p = x + i;
            s0 = MathF.FusedMultiplyAdd(wi, p[0], s0);
            if (n > 1) s1 = MathF.FusedMultiplyAdd(wi, p[columns], s1);
            if (n > 2) s2 = MathF.FusedMultiplyAdd(wi, p[2 * columns], s2);
            if (n > 3) s3 = MathF.FusedMultiplyAdd(wi, p[3 * columns], s3);
            if (n > 4) s4 = MathF.FusedMultiplyAdd(wi, p[4 * columns], s4);
            if (n > 5) s5 = MathF.FusedMultiplyAdd(wi, p[5 * columns], s5);
            if (n > 6) s6 = MathF.FusedMultiplyAdd(wi, p[6 * columns], s6);
            if (n > 7) s7 = MathF.FusedMultiplyAdd(wi, p[7 * columns], s7);
        }
        y[0] = s0;
        if (n > 1) y[ldy] = s1;
        if (n > 2) y[2 * ldy] = s2;
        if (n > 3) y[3 * ldy] = s3;
        if (n > 4) y[4 * ldy] = s4;
        if (n > 5) y[5 * ldy] = s5;
        if (n > 6) y[6 * ldy] = s6;
        if (n > 7) y[7 * ldy] = s7;
        return n;
    }

    private interface IRowCount
    {
        static abstract int Value { get; }
    }

    private struct One : IRowCount
    {
        public static int Value => 1;
    }

    private struct Two : IRowCount
    {
        public static int Value => 2;
    }

    private struct Four : IRowCount
    {
        public static int Value => 4;
    }

    private struct Eight : IRowCount
    {
        public static int Value => 8;
    }

    private interface IWeightRow
    {
        static abstract Vector512<float> Load(void* row, int i);

        static abstract float LoadScalar(void* row, int i);
    }

    private struct Float32Row : IWeightRow
    {
        public static Vector512<float> Load(void* row, int i) => Vector512.Load((float*)row + i);

        public static float LoadScalar(void* row, int i) => ((float*)row)[i];
    }

    /// <summary>bfloat16 is the top half of a float32: widen and shift.</summary>
    private struct BFloat16Row : IWeightRow
    {
        public static Vector512<float> Load(void* row, int i) =>
            (Vector512.WidenLower(Vector256.Load((ushort*)row + i).ToVector512Unsafe()) << 16).AsSingle();

        public static float LoadScalar(void* row, int i) => BitConverter.UInt32BitsToSingle((uint)((ushort*)row)[i] << 16);
    }
}
