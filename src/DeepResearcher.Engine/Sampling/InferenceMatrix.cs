using System.Runtime.CompilerServices;
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

    // Columns per pass: 8 input rows × 1,024 float32 = 32 KB stay in L1 while a task's 16 weight rows stream past them.
    // Wider rows (down_proj's 4,864) would otherwise be re-read from L2 for every weight row.
    private const int ColumnBlock = 1024;
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
            int start = index * RowsPerTask, end = Math.Min(rows, (index + 1) * RowsPerTask);
            // Every output is summed block by block in column order, whichever loop is outside, so both orders give the
            // same bits. From 8 input rows on, column blocks go outside (x stays in L1, weight rows pair up); below, the
            // product is bound by reading the weights, which weight rows outside read front to back with the least work
            // per row.
            if (inputRows >= 8)
                Columns(start, end);
            else if (wb is not null)
                RowsOutside<BFloat16Row>(wb, start, end);
            else
                RowsOutside<Float32Row>(wf, start, end);
        }

        private void RowsOutside<TWeights>(void* w, int start, int end)
            where TWeights : struct, IWeightRow
        {
            nint stride = (nint)columns * TWeights.Size;
            for (int o = start; o < end; o++)
            {
                byte* wo = (byte*)w + (o * stride);
                for (int c0 = 0; c0 < columns; c0 += ColumnBlock)
                {
                    int length = Math.Min(ColumnBlock, columns - c0);
                    Rest<TWeights>(wo + ((nint)c0 * TWeights.Size), o, 0, c0, length, accumulate: c0 > 0);
                }
            }
        }

        private void Columns(int start, int end)
        {
            for (int c0 = 0; c0 < columns; c0 += ColumnBlock)
            {
                int length = Math.Min(ColumnBlock, columns - c0);
                bool accumulate = c0 > 0;
                if (wb is not null)
                    Block<BFloat16Row>(wb + c0, start, end, c0, length, accumulate);
                else
                    Block<Float32Row>(wf + c0, start, end, c0, length, accumulate);
            }
        }

        private void Block<TWeights>(void* w, int start, int end, int c0, int length, bool accumulate)
            where TWeights : struct, IWeightRow
        {
            // Input rows go in groups of 8, 4, 2 and 1, and weight rows alone or in pairs; each output's sum is the same
            // sequence of operations in every case, so a sequence's results do not depend on the batch it is in.
            nint stride = (nint)columns * TWeights.Size;
            for (int o = start; o < end;)
            {
                // Pairs pay off with bfloat16 rows (half the bytes per weight, so x loads dominate); float32 rows measured
                // no better in pairs.
                bool pair = typeof(TWeights) == typeof(BFloat16Row) && o + 1 < end && inputRows >= 8;
                byte* w0 = (byte*)w + (o * stride);
                int r0 = 0;
                for (; inputRows - r0 >= 8; r0 += 8)
                {
                    float* xr = x + ((nint)r0 * columns) + c0;
                    float* yr = y + ((nint)r0 * rows) + o;
                    if (pair) DotRowsPair<TWeights>(w0, w0 + stride, xr, length, columns, yr, rows, accumulate);
                    else DotRows<Eight, TWeights>(w0, xr, length, columns, yr, rows, accumulate);
                }

                Rest<TWeights>(w0, o, r0, c0, length, accumulate);
                if (pair) Rest<TWeights>(w0 + stride, o + 1, r0, c0, length, accumulate);
                o += pair ? 2 : 1;
            }
        }

        /// <summary>Input rows r0… (fewer than 8) against one weight row, in groups of 4, 2 and 1.</summary>
        private void Rest<TWeights>(byte* w, int o, int r0, int c0, int length, bool accumulate)
            where TWeights : struct, IWeightRow
        {
            while (r0 < inputRows)
            {
                int left = inputRows - r0;
                float* xr = x + ((nint)r0 * columns) + c0;
                float* yr = y + ((nint)r0 * rows) + o;
                if (left >= 4) r0 += DotRows<Four, TWeights>(w, xr, length, columns, yr, rows, accumulate);
                else if (left >= 2) r0 += DotRows<Two, TWeights>(w, xr, length, columns, yr, rows, accumulate);
                else r0 += DotRows<One, TWeights>(w, xr, length, columns, yr, rows, accumulate);
            }
        }
    }

    /// <summary>
    /// y[r·ldy] (+)= ⟨w[0..length), x_r[0..length)⟩ for TRows input rows (x rows <paramref name="ldx"/> apart), loading each
    /// 16 weights once for all of them. The row count is a type parameter so the JIT compiles one branch-free loop per
    /// count with the accumulators in registers.
    /// </summary>
    private static int DotRows<TRows, TWeights>(void* w, float* x, int length, int ldx, float* y, int ldy, bool accumulate)
        where TRows : struct, IRowCount
        where TWeights : struct, IWeightRow
    {
        int n = TRows.Value;
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        int i = 0;
        for (; i + 16 <= length; i += 16)
        {
            var wv = TWeights.Load(w, i);
            float* p = x + i;
            a0 = Vector512.FusedMultiplyAdd(wv, Vector512.Load(p), a0);
            if (n > 1) a1 = Vector512.FusedMultiplyAdd(wv, Vector512.Load(p + ldx), a1);
            if (n > 2) a2 = Vector512.FusedMultiplyAdd(wv, Vector512.Load(p + 2 * ldx), a2);
            if (n > 3) a3 = Vector512.FusedMultiplyAdd(wv, Vector512.Load(p + 3 * ldx), a3);
            if (n > 4) a4 = Vector512.FusedMultiplyAdd(wv, Vector512.Load(p + 4 * ldx), a4);
            if (n > 5) a5 = Vector512.FusedMultiplyAdd(wv, Vector512.Load(p + 5 * ldx), a5);
            if (n > 6) a6 = Vector512.FusedMultiplyAdd(wv, Vector512.Load(p + 6 * ldx), a6);
            if (n > 7) a7 = Vector512.FusedMultiplyAdd(wv, Vector512.Load(p + 7 * ldx), a7);
        }
        Finish<TRows, TWeights>(w, x, i, length, ldx, y, ldy, accumulate, a0, a1, a2, a3, a4, a5, a6, a7);
        return n;
    }

    /// <summary>
    /// <see cref="DotRows{TRows, TWeights}"/> for 8 input rows and two weight rows at once (outputs y and y + 1): each
    /// x load feeds two FMAs, which halves the loads per FMA; each of the 16 sums runs the same operations as alone.
    /// </summary>
    private static void DotRowsPair<TWeights>(void* w0, void* w1, float* x, int length, int ldx, float* y, int ldy, bool accumulate)
        where TWeights : struct, IWeightRow
    {
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        Vector512<float> b0 = default, b1 = default, b2 = default, b3 = default, b4 = default, b5 = default, b6 = default, b7 = default;
        int i = 0;
        for (; i + 16 <= length; i += 16)
        {
            var u = TWeights.Load(w0, i);
            var v = TWeights.Load(w1, i);
            float* p = x + i;
            var x0 = Vector512.Load(p);
            a0 = Vector512.FusedMultiplyAdd(u, x0, a0);
            b0 = Vector512.FusedMultiplyAdd(v, x0, b0);
            var x1 = Vector512.Load(p + ldx);
            a1 = Vector512.FusedMultiplyAdd(u, x1, a1);
            b1 = Vector512.FusedMultiplyAdd(v, x1, b1);
            var x2 = Vector512.Load(p + 2 * ldx);
            a2 = Vector512.FusedMultiplyAdd(u, x2, a2);
            b2 = Vector512.FusedMultiplyAdd(v, x2, b2);
            var x3 = Vector512.Load(p + 3 * ldx);
            a3 = Vector512.FusedMultiplyAdd(u, x3, a3);
            b3 = Vector512.FusedMultiplyAdd(v, x3, b3);
            var x4 = Vector512.Load(p + 4 * ldx);
            a4 = Vector512.FusedMultiplyAdd(u, x4, a4);
            b4 = Vector512.FusedMultiplyAdd(v, x4, b4);
            var x5 = Vector512.Load(p + 5 * ldx);
            a5 = Vector512.FusedMultiplyAdd(u, x5, a5);
            b5 = Vector512.FusedMultiplyAdd(v, x5, b5);
            var x6 = Vector512.Load(p + 6 * ldx);
            a6 = Vector512.FusedMultiplyAdd(u, x6, a6);
            b6 = Vector512.FusedMultiplyAdd(v, x6, b6);
            var x7 = Vector512.Load(p + 7 * ldx);
            a7 = Vector512.FusedMultiplyAdd(u, x7, a7);
            b7 = Vector512.FusedMultiplyAdd(v, x7, b7);
        }

        Finish<Eight, TWeights>(w0, x, i, length, ldx, y, ldy, accumulate, a0, a1, a2, a3, a4, a5, a6, a7);
        Finish<Eight, TWeights>(w1, x, i, length, ldx, y + 1, ldy, accumulate, b0, b1, b2, b3, b4, b5, b6, b7);
    }

    /// <summary>The horizontal sums, the columns left after the last full 16, and the stores, for TRows outputs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish<TRows, TWeights>(void* w, float* x, int i, int length, int ldx, float* y, int ldy, bool accumulate,
        Vector512<float> a0, Vector512<float> a1, Vector512<float> a2, Vector512<float> a3,
        Vector512<float> a4, Vector512<float> a5, Vector512<float> a6, Vector512<float> a7)
        where TRows : struct, IRowCount
        where TWeights : struct, IWeightRow
    {
        int n = TRows.Value;
        float s0 = Vector512.Sum(a0), s1 = Vector512.Sum(a1), s2 = Vector512.Sum(a2), s3 = Vector512.Sum(a3);
        float s4 = Vector512.Sum(a4), s5 = Vector512.Sum(a5), s6 = Vector512.Sum(a6), s7 = Vector512.Sum(a7);
        for (; i < length; i++)
        {
            float wi = TWeights.LoadScalar(w, i);
            float* p = x + i;
            s0 = MathF.FusedMultiplyAdd(wi, p[0], s0);
            if (n > 1) s1 = MathF.FusedMultiplyAdd(wi, p[ldx], s1);
            if (n > 2) s2 = MathF.FusedMultiplyAdd(wi, p[2 * ldx], s2);
            if (n > 3) s3 = MathF.FusedMultiplyAdd(wi, p[3 * ldx], s3);
            if (n > 4) s4 = MathF.FusedMultiplyAdd(wi, p[4 * ldx], s4);
            if (n > 5) s5 = MathF.FusedMultiplyAdd(wi, p[5 * ldx], s5);
            if (n > 6) s6 = MathF.FusedMultiplyAdd(wi, p[6 * ldx], s6);
            if (n > 7) s7 = MathF.FusedMultiplyAdd(wi, p[7 * ldx], s7);
        }

        Store(y, 0, s0, accumulate);
        if (n > 1) Store(y, ldy, s1, accumulate);
        if (n > 2) Store(y, 2 * ldy, s2, accumulate);
        if (n > 3) Store(y, 3 * ldy, s3, accumulate);
        if (n > 4) Store(y, 4 * ldy, s4, accumulate);
        if (n > 5) Store(y, 5 * ldy, s5, accumulate);
        if (n > 6) Store(y, 6 * ldy, s6, accumulate);
        if (n > 7) Store(y, 7 * ldy, s7, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* y, int at, float value, bool accumulate)
    {
        if (accumulate) y[at] += value;
        else y[at] = value;
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
        /// <summary>Bytes per stored weight.</summary>
        static abstract int Size { get; }

        static abstract Vector512<float> Load(void* row, int i);

        static abstract float LoadScalar(void* row, int i);
    }

    private struct Float32Row : IWeightRow
    {
        public static int Size => sizeof(float);

        public static Vector512<float> Load(void* row, int i) => Vector512.Load((float*)row + i);

        public static float LoadScalar(void* row, int i) => ((float*)row)[i];
    }

    /// <summary>bfloat16 is the top half of a float32: widen and shift.</summary>
    private struct BFloat16Row : IWeightRow
    {
        public static int Size => sizeof(ushort);

        public static Vector512<float> Load(void* row, int i) =>
            (Vector512.WidenLower(Vector256.Load((ushort*)row + i).ToVector512Unsafe()) << 16).AsSingle();

        public static float LoadScalar(void* row, int i) => BitConverter.UInt32BitsToSingle((uint)((ushort*)row)[i] << 16);
    }
}
