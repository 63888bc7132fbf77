using System.Runtime.Intrinsics.X86;

namespace DeepResearcher.Engine.Kernels;

/// <summary>Copies blocks of A and B into the panel layouts the micro-kernels stream through, absorbing transposes.</summary>
internal static unsafe class GemmPacking
{
    /// <summary>
    /// Packs rows [row0, row0 + rows) × depth [depth0, depth0 + depth) of op(A) as depth × <paramref name="panelRows"/>
    /// (element (i, p) at dst[p·panelRows + i]). Rows past <paramref name="rows"/> are left unwritten: kernels never read them.
    /// </summary>
    public static void PackA(float* a, nint lda, bool transA, int row0, int rows, int panelRows, int depth0, int depth, float* dst)
    {
        if (transA)
        {
            // op(A)(i, p) = a[p·lda + i]: each depth step is already a contiguous run of rows.
            float* src = a + depth0 * lda + row0;
            for (int p = 0; p < depth; p++, src += lda, dst += panelRows)
            {
                for (int i = 0; i < rows; i++)
                    dst[i] = src[i];
            }
        }
        else
        {
            for (int i = 0; i < rows; i++)
            {
                float* src = a + (row0 + i) * lda + depth0;
                float* d = dst + i;
                for (int p = 0; p < depth; p++, d += panelRows)
                    *d = src[p];
            }
        }
    }

    /// <summary>
    /// Packs depth [depth0, depth0 + depth) × columns [column0, column0 + columns) of op(B) as depth × <paramref name="panelColumns"/>
    /// (element (p, j) at dst[p·panelColumns + j]), zero-filling columns past <paramref name="columns"/>.
    /// </summary>
    public static void PackB(float* b, nint ldb, bool transB, int depth0, int depth, int column0, int columns, int panelColumns, float* dst)
    {
        if (!transB)
        {
            float* src = b + depth0 * ldb + column0;
            for (int p = 0; p < depth; p++, src += ldb, dst += panelColumns)
            {
                new ReadOnlySpan<float>(src, columns).CopyTo(new Span<float>(dst, columns));
                new Span<float>(dst + columns, panelColumns - columns).Clear();
            }
        }
        else
        {
            // op(B)(p, j) = b[j·ldb + p]: 8×8 blocks are transposed in registers.
            float* src = b + column0 * ldb + depth0;
            int p0 = 0;
            if (Avx.IsSupported && columns == panelColumns && columns % 8 == 0)
            {
                // Eight B rows at a time, each read sequentially along depth: eight streams the prefetcher follows.
                int blocks = depth / 8;
                for (int j = 0; j < columns; j += 8)
                {
                    for (int block = 0; block < blocks; block++)
                        Transpose8x8(src + j * ldb + block * 8, ldb, dst + block * 8 * panelColumns + j, panelColumns);
                }
                p0 = blocks * 8;
            }

            // Depth steps left over from the 8×8 blocks, and partial panels: one element at a time.
            dst += p0 * panelColumns;
            for (int p = p0; p < depth; p++, dst += panelColumns)
            {
                float* s = src + p;
                int j = 0;
                for (; j < columns; j++, s += ldb)
                    dst[j] = *s;
                for (; j < panelColumns; j++)
                    dst[j] = 0;
            }
        }
    }

    /// <summary>
    /// Reads 8 rows of 8 floats (row stride <paramref name="sourceStride"/>) and writes them transposed
    /// (row stride <paramref name="destinationStride"/>), in registers.
    /// </summary>
    private static void Transpose8x8(float* source, nint sourceStride, float* destination, nint destinationStride)
    {
        var r0 = Avx.LoadVector256(source);
        var r1 = Avx.LoadVector256(source + sourceStride);
        var r2 = Avx.LoadVector256(source + 2 * sourceStride);
        var r3 = Avx.LoadVector256(source + 3 * sourceStride);
        var r4 = Avx.LoadVector256(source + 4 * sourceStride);
        var r5 = Avx.LoadVector256(source + 5 * sourceStride);
        var r6 = Avx.LoadVector256(source + 6 * sourceStride);
        var r7 = Avx.LoadVector256(source + 7 * sourceStride);

        // Interleave pairs of rows, then pairs of pairs, within each 128-bit lane...
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5);
        var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7);
        var t7 = Avx.UnpackHigh(r6, r7);
        var u0 = Avx.Shuffle(t0, t2, 0x44);
        var u1 = Avx.Shuffle(t0, t2, 0xEE);
        var u2 = Avx.Shuffle(t1, t3, 0x44);
        var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44);
        var u5 = Avx.Shuffle(t4, t6, 0xEE);
        var u6 = Avx.Shuffle(t5, t7, 0x44);
        var u7 = Avx.Shuffle(t5, t7, 0xEE);

        // ...then swap 128-bit lanes between the first and second four rows.
        Avx.Store(destination, Avx.Permute2x128(u0, u4, 0x20));
        Avx.Store(destination + destinationStride, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(destination + 2 * destinationStride, Avx.Permute2x128(u2, u6, 0x20));
        Avx.Store(destination + 3 * destinationStride, Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(destination + 4 * destinationStride, Avx.Permute2x128(u0, u4, 0x31));
        Avx.Store(destination + 5 * destinationStride, Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(destination + 6 * destinationStride, Avx.Permute2x128(u2, u6, 0x31));
        Avx.Store(destination + 7 * destinationStride, Avx.Permute2x128(u3, u7, 0x31));
    }

    /// <summary>Writes the valid <paramref name="rows"/> × <paramref name="columns"/> corner of a full-size kernel tile into C.</summary>
    public static void MergeTile(float* tile, int tileStride, int rows, int columns, float* c, nint ldc, bool accumulate)
    {
        for (int i = 0; i < rows; i++, tile += tileStride, c += ldc)
        {
            for (int j = 0; j < columns; j++)
                c[j] = accumulate ? c[j] + tile[j] : tile[j];
        }
    }
}
