using DeepResearcher.Engine.Threading;

namespace DeepResearcher.Engine.Kernels;

/// <summary>
/// BLIS-style GEMM driver around a register-blocked micro-kernel: B is packed into depth × NR panels and A into
/// depth × MR panels (transposes are absorbed by the pack routines), with blocking over depth (KC), columns (NC)
/// and rows (MC) so that a block of packed A sits in L2 while B micro-panels stream past it.
/// Few-row products (batched decode) and few-column ones (LoRA ranks) pack nothing: row-major B is read in
/// place by the same register block, transposed B by dot products; they are spread over columns and rows.
/// </summary>
internal static unsafe class BlockedGemm<TKernel>
    where TKernel : IGemmMicroKernel
{
    /// <summary>Rows of A packed at once, bounding scratch memory for tall matrices.</summary>
    private const int PackedRowLimit = 1536;

    /// <summary>
    /// At or below this many columns (LoRA ranks), a 64-wide register block would mostly compute padding:
    /// transposed B goes to dot products, other layouts to the 16-wide <see cref="GemmMicroKernel256"/> block.
    /// </summary>
    private const int NarrowColumns = 16;

    /// <summary>Below this many flops waking the pool costs more than it gains.</summary>
    private const long SerialFlops = 1 << 18;

    public static void Multiply(
        float* a, nint lda, bool transA,
        float* b, nint ldb, bool transB,
        float* c, nint ldc,
        int m, int n, int k, bool accumulate, GemmTuning tuning)
    {
        if (m == 0 || n == 0)
            return;
        if (k == 0)
        {
            if (!accumulate)
            {
                for (int i = 0; i < m; i++)
                    new Span<float>(c + i * ldc, n).Clear();
            }
            return;
        }

        int threads = 1;
        if (2L * m * n * k >= SerialFlops && !ComputePool.IsInsideLoop)
            threads = ComputePool.Shared.Parallelism;

        bool narrow = n <= NarrowColumns;
        bool useNarrowKernel = narrow && typeof(TKernel) != typeof(GemmMicroKernel256);
        if (transB && !transA && (m <= tuning.DotMaxRows || narrow))
            MultiplyDot(a, lda, b, ldb, c, ldc, m, n, k, accumulate, threads, tuning.DotMaxRows);
        else if (!transB && useNarrowKernel)
            BlockedGemm<GemmMicroKernel256>.MultiplyDirect(a, lda, transA, b, ldb, c, ldc, m, n, k, accumulate, threads, tuning.DirectDepthBlock);
        else if (!transB && (m <= tuning.DirectMaxRows || narrow))
            MultiplyDirect(a, lda, transA, b, ldb, c, ldc, m, n, k, accumulate, threads, tuning.DirectDepthBlock);
        else if (useNarrowKernel)
            BlockedGemm<GemmMicroKernel256>.MultiplyPacked(a, lda, transA, b, ldb, transB, c, ldc, m, n, k, accumulate, threads, tuning);
        else
            MultiplyPacked(a, lda, transA, b, ldb, transB, c, ldc, m, n, k, accumulate, threads, tuning);
    }

    private static void Run<TBody>(int count, int threads, TBody body)
        where TBody : IParallelBody
    {
        if (threads <= 1 || count <= 1)
        {
            for (int i = 0; i < count; i++)
                body.Invoke(i);
        }
        else
        {
            ComputePool.Shared.For(count, body);
        }
    }

    /// <summary>Splits [0, total) into <paramref name="parts"/> near-equal ranges and returns the start of range <paramref name="part"/>.</summary>
    private static int PartStart(int total, int parts, int part) => (int)((long)total * part / parts);

    private static int Chunks(int units, int threads) => threads <= 1 ? 1 : Math.Min(units, threads * 4);

    // ---------------------------------------------------------------- few rows or few columns, row-major B: nothing packed

    internal static void MultiplyDirect(float* a, nint lda, bool transA, float* b, nint ldb, float* c, nint ldc, int m, int n, int k, bool accumulate, int threads, int depthBlock)
    {
        int nr = TKernel.Columns;
        // When every B row starts at the same offset within a cache line, a narrow first panel of `lead` columns
        // lets all full panels start on a line boundary: unaligned 64-byte loads split lines and cost ~20%.
        // Narrow products skip it: there the extra edge panel would cost more than the split loads.
        int lead = ldb % 16 == 0 && n >= 4 * nr ? (int)(((64 - ((nint)b & 63)) & 63) >> 2) : 0;
        int panels = lead == 0 ? (n + nr - 1) / nr : 1 + (n - lead + nr - 1) / nr;
        int groups = (m + TKernel.Rows - 1) / TKernel.Rows;
        // Split columns when there are enough of them (decode); otherwise rows too (narrow LoRA products).
        int target = threads <= 1 ? 1 : threads * 4;
        int columnChunks = Math.Min(panels, target);
        int rowChunks = Math.Min(groups, (target + columnChunks - 1) / columnChunks);
        var job = new DirectJob
        {
            A = a, RowStrideA = transA ? 1 : lda, DepthStrideA = transA ? lda : 1,
            B = b, Ldb = ldb, C = c, Ldc = ldc, M = m, N = n, K = k, Accumulate = accumulate,
            Panels = panels, Lead = lead, Groups = groups, ColumnChunks = columnChunks, RowChunks = rowChunks, DepthBlock = depthBlock,
        };
        Run(columnChunks * rowChunks, threads, job);
    }

    private struct DirectJob : IParallelBody
    {
        public float* A, B, C;
        public nint RowStrideA, DepthStrideA, Ldb, Ldc;
        public int M, N, K, Panels, Lead, Groups, ColumnChunks, RowChunks, DepthBlock;
        public bool Accumulate;

        public readonly void Invoke(int index)
        {
            int mr = TKernel.Rows, nr = TKernel.Columns;
            float* tile = stackalloc float[mr * nr];
            int columnChunk = index % ColumnChunks, rowChunk = index / ColumnChunks;
            int groupStart = PartStart(Groups, RowChunks, rowChunk), groupEnd = PartStart(Groups, RowChunks, rowChunk + 1);
            int panelEnd = PartStart(Panels, ColumnChunks, columnChunk + 1);
            for (int panel = PartStart(Panels, ColumnChunks, columnChunk); panel < panelEnd; panel++)
            {
                int j = Lead == 0 ? panel * nr : panel == 0 ? 0 : Lead + (panel - 1) * nr;
                int columns = Lead != 0 && panel == 0 ? Lead : Math.Min(nr, N - j);
                for (int depth0 = 0; depth0 < K; depth0 += DepthBlock)
                {
                    int depth = Math.Min(DepthBlock, K - depth0);
                    bool accumulate = Accumulate || depth0 > 0;
                    float* bPanel = B + depth0 * Ldb + j;
                    nint bStride = Ldb;
                    if (columns < nr)
                    {
                        // A narrow panel would read past its columns (and the end of B): copy it, zero-padded, to scratch.
                        float* tail = GemmScratch.Current.PanelTail(depth * nr);
                        GemmPacking.PackB(B, Ldb, false, depth0, depth, j, columns, nr, tail);
                        bPanel = tail;
                        bStride = nr;
                    }

                    for (int g = groupStart; g < groupEnd; g++)
                    {
                        int i0 = PartStart(M, Groups, g);
                        int rows = PartStart(M, Groups, g + 1) - i0;
                        float* aRows = A + i0 * RowStrideA + depth0 * DepthStrideA;
                        float* cTile = C + i0 * Ldc + j;
                        if (columns == nr)
                        {
                            TKernel.RunStrided(rows, depth, aRows, RowStrideA, DepthStrideA, bPanel, bStride, cTile, Ldc, accumulate);
                        }
                        else
                        {
                            TKernel.RunStrided(rows, depth, aRows, RowStrideA, DepthStrideA, bPanel, bStride, tile, nr, false);
                            GemmPacking.MergeTile(tile, nr, rows, columns, cTile, Ldc, accumulate);
                        }
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- few rows, B stored [n, k]: dot products

    private static void MultiplyDot(float* a, nint lda, float* b, nint ldb, float* c, nint ldc, int m, int n, int k, bool accumulate, int threads, int dotMaxRows)
    {
        if (m > 1 && m <= dotMaxRows)
        {
            // The few rows of A are reread for every block of B rows: copy them (a trivial m·k floats) to rows
            // that start on cache lines, so at least the A loads never split a line.
            nint stride = (k + 15) & ~15;
            float* copy = GemmScratch.Current.PackedA((int)(m * stride));
            for (int i = 0; i < m; i++)
                new ReadOnlySpan<float>(a + i * lda, k).CopyTo(new Span<float>(copy + i * stride, k));
            a = copy;
            lda = stride;
        }

        int blocks = (n + TKernel.DotColumns - 1) / TKernel.DotColumns;
        int groups = (m + TKernel.DotRows - 1) / TKernel.DotRows;
        // Split columns when there are enough of them (decode); otherwise rows too (narrow LoRA products).
        int target = threads <= 1 ? 1 : threads * 4;
        int columnChunks = Math.Min(blocks, target);
        int rowChunks = Math.Min(groups, (target + columnChunks - 1) / columnChunks);
        var job = new DotJob
        {
            A = a, Lda = lda, B = b, Ldb = ldb, C = c, Ldc = ldc, M = m, N = n, K = k, Accumulate = accumulate,
            Blocks = blocks, Groups = groups, ColumnChunks = columnChunks, RowChunks = rowChunks,
        };
        Run(columnChunks * rowChunks, threads, job);
    }

    private struct DotJob : IParallelBody
    {
        public float* A, B, C;
        public nint Lda, Ldb, Ldc;
        public int M, N, K, Blocks, Groups, ColumnChunks, RowChunks;
        public bool Accumulate;

        public readonly void Invoke(int index)
        {
            int columnChunk = index % ColumnChunks, rowChunk = index / ColumnChunks;
            int blockStart = PartStart(Blocks, ColumnChunks, columnChunk), blockEnd = PartStart(Blocks, ColumnChunks, columnChunk + 1);
            int groupStart = PartStart(Groups, RowChunks, rowChunk), groupEnd = PartStart(Groups, RowChunks, rowChunk + 1);
            // Keep the smaller operand's slice cache-resident: few rows of A (decode) are reread from L1 for every
            // block of B rows; few B rows (narrow outputs) are reread from L2 for every group of A rows.
            if (M <= N)
            {
                for (int block = blockStart; block < blockEnd; block++)
                {
                    for (int g = groupStart; g < groupEnd; g++)
                        RunBlock(g, block);
                }
            }
            else
            {
                for (int g = groupStart; g < groupEnd; g++)
                {
                    for (int block = blockStart; block < blockEnd; block++)
                        RunBlock(g, block);
                }
            }
        }

        private readonly void RunBlock(int group, int block)
        {
            int j = block * TKernel.DotColumns;
            int columns = Math.Min(TKernel.DotColumns, N - j);
            // Groups are near-equal splits of M so a tail of one or two rows never runs alone.
            int i0 = PartStart(M, Groups, group);
            int rows = PartStart(M, Groups, group + 1) - i0;
            TKernel.RunDot(rows, columns, K, A + i0 * Lda, Lda, B + j * Ldb, Ldb, C + i0 * Ldc + j, Ldc, Accumulate);
        }
    }

    // ---------------------------------------------------------------- general case: pack both operands

    internal static void MultiplyPacked(float* a, nint lda, bool transA, float* b, nint ldb, bool transB, float* c, nint ldc, int m, int n, int k, bool accumulate, int threads, GemmTuning tuning)
    {
        int mr = TKernel.Rows, nr = TKernel.Columns;
        // Equal depth blocks: a short last block would pay the C load/store of a full one for little work.
        int depthBlocks = (k + tuning.DepthBlock - 1) / tuning.DepthBlock;
        int depthBlock = (k + depthBlocks - 1) / depthBlocks;
        if (threads > 1 && (long)((m + mr - 1) / mr * mr) * k <= SharedPackedALimit)
        {
            MultiplyPackedByColumnChunks(a, lda, transA, b, ldb, transB, c, ldc, m, n, k, accumulate, threads, depthBlock, tuning);
            return;
        }

        int columnBlock = tuning.ColumnBlock;
        var scratch = GemmScratch.Current;
        for (int jc = 0; jc < n; jc += columnBlock)
        {
            int nc = Math.Min(columnBlock, n - jc);
            int bPanels = (nc + nr - 1) / nr;
            for (int pc = 0; pc < k; pc += depthBlock)
            {
                int kc = Math.Min(depthBlock, k - pc);
                float* packedB = scratch.PackedB(bPanels * nr * kc);
                for (int ic = 0; ic < m; ic += PackedRowLimit)
                {
                    int mb = Math.Min(PackedRowLimit, m - ic);
                    int aPanels = (mb + mr - 1) / mr;
                    float* packedA = scratch.PackedA(aPanels * mr * kc);

                    var pack = new PackJob
                    {
                        A = a, Lda = lda, TransA = transA, B = b, Ldb = ldb, TransB = transB,
                        PackedA = packedA, PackedB = packedB,
                        RowStart = ic, Rows = mb, APanels = aPanels, AChunks = Chunks(aPanels, threads),
                        ColumnStart = jc, Columns = nc, BPanels = bPanels, BChunks = ic == 0 ? Chunks(bPanels, threads) : 0,
                        DepthStart = pc, Depth = kc,
                    };
                    Run(pack.AChunks + pack.BChunks, threads, pack);

                    // Equal row tiles (in whole MR panels) so no thread is left with a short last tile.
                    int rowTiles = (mb + tuning.RowBlock - 1) / tuning.RowBlock;
                    int rowBlock = ((mb + rowTiles - 1) / rowTiles + mr - 1) / mr * mr;
                    rowTiles = (mb + rowBlock - 1) / rowBlock;
                    int columnTiles = threads <= 1 ? 1 : Math.Clamp((threads * 3 + rowTiles - 1) / rowTiles, 1, bPanels);
                    var tiles = new TileJob
                    {
                        PackedA = packedA, PackedB = packedB, C = c + ic * ldc + jc, Ldc = ldc,
                        Rows = mb, Columns = nc, Depth = kc, Accumulate = accumulate || pc > 0,
                        RowBlock = rowBlock, RowTiles = rowTiles, ColumnTiles = columnTiles, BPanels = bPanels,
                    };
                    Run(rowTiles * columnTiles, threads, tiles);
                }
            }
        }
    }

    private struct PackJob : IParallelBody
    {
        public float* A, B, PackedA, PackedB;
        public nint Lda, Ldb;
        public bool TransA, TransB;
        public int RowStart, Rows, APanels, AChunks;
        public int ColumnStart, Columns, BPanels, BChunks;
        public int DepthStart, Depth;

        public readonly void Invoke(int index)
        {
            int mr = TKernel.Rows, nr = TKernel.Columns;
            if (index < BChunks)
            {
                int first = PartStart(BPanels, BChunks, index), end = PartStart(BPanels, BChunks, index + 1);
                for (int q = first; q < end; q++)
                {
                    int j = q * nr;
                    GemmPacking.PackB(B, Ldb, TransB, DepthStart, Depth, ColumnStart + j, Math.Min(nr, Columns - j), nr, PackedB + (nint)q * nr * Depth);
                }
            }
            else
            {
                index -= BChunks;
                int first = PartStart(APanels, AChunks, index), end = PartStart(APanels, AChunks, index + 1);
                for (int q = first; q < end; q++)
                {
                    int i = q * mr;
                    GemmPacking.PackA(A, Lda, TransA, RowStart + i, Math.Min(mr, Rows - i), mr, DepthStart, Depth, PackedA + (nint)q * mr * Depth);
                }
            }
        }
    }

    private struct TileJob : IParallelBody
    {
        public float* PackedA, PackedB, C;
        public nint Ldc;
        public int Rows, Columns, Depth, RowBlock, RowTiles, ColumnTiles, BPanels;
        public bool Accumulate;

        public readonly void Invoke(int index)
        {
            float* tile = stackalloc float[TKernel.Rows * TKernel.Columns];
            int rowTile = index / ColumnTiles, columnTile = index % ColumnTiles;
            int i0 = rowTile * RowBlock, i1 = Math.Min(Rows, i0 + RowBlock);
            int q0 = PartStart(BPanels, ColumnTiles, columnTile), q1 = PartStart(BPanels, ColumnTiles, columnTile + 1);
            MultiplyPanels(PackedA, i0, i1, PackedB + (nint)q0 * TKernel.Columns * Depth, q0, q1, Columns, Depth, C, Ldc, Accumulate, tile);
        }
    }

    // ---------------------------------------------------------------- parallel packed product: two barriers in all

    /// <summary>Largest A (floats, rows rounded up to MR) that is packed whole and shared by all threads of one product.</summary>
    private const int SharedPackedALimit = 1 << 22;

    /// <summary>
    /// The packed product for several threads: all of A is packed once (one parallel loop), then each column chunk
    /// packs its own B panels and runs every depth block (a second loop). Two barriers instead of two per block
    /// matter on a busy machine, where every barrier waits for the slowest, possibly preempted, thread.
    /// </summary>
    private static void MultiplyPackedByColumnChunks(float* a, nint lda, bool transA, float* b, nint ldb, bool transB, float* c, nint ldc, int m, int n, int k, bool accumulate, int threads, int depthBlock, GemmTuning tuning)
    {
        int mr = TKernel.Rows, nr = TKernel.Columns;
        int aPanels = (m + mr - 1) / mr;
        int depthBlocks = (k + depthBlock - 1) / depthBlock;
        float* packedA = GemmScratch.Current.PackedA(aPanels * mr * k);
        var pack = new PackAJob
        {
            A = a, Lda = lda, TransA = transA, PackedA = packedA, Rows = m, K = k,
            APanels = aPanels, AChunks = Chunks(aPanels, threads), DepthBlock = depthBlock,
        };
        Run(depthBlocks * pack.AChunks, threads, pack);

        int bPanels = (n + nr - 1) / nr;
        // Every chunk rereads all of packed A, so chunks keep at least four panels each (a multiple of the thread
        // count, for balance) and only then are split up to four per thread, for dynamic load balancing; and no
        // chunk is wider than one column block, so its packed B stays cache-sized (the LM head has 2374 panels).
        int chunks = Math.Min(bPanels, threads * Math.Clamp(bPanels / (4 * threads), 1, 4));
        int panelsPerBlock = Math.Max(1, tuning.ColumnBlock / nr);
        chunks = Math.Max(chunks, (bPanels + panelsPerBlock - 1) / panelsPerBlock);
        var job = new ColumnChunkJob
        {
            PackedA = packedA, B = b, Ldb = ldb, TransB = transB, C = c, Ldc = ldc,
            M = m, N = n, K = k, DepthBlock = depthBlock, APanels = aPanels, BPanels = bPanels, Chunks = chunks,
            RowBlock = Math.Max(mr, tuning.RowBlock / mr * mr), Accumulate = accumulate,
        };
        Run(chunks, threads, job);
    }

    /// <summary>Packs A panels for one depth block; block d of packed A starts at APanels·MR·(d·DepthBlock).</summary>
    private struct PackAJob : IParallelBody
    {
        public float* A, PackedA;
        public nint Lda;
        public bool TransA;
        public int Rows, K, APanels, AChunks, DepthBlock;

        public readonly void Invoke(int index)
        {
            int mr = TKernel.Rows;
            int depth0 = index / AChunks * DepthBlock, chunk = index % AChunks;
            int depth = Math.Min(DepthBlock, K - depth0);
            float* block = PackedA + (nint)APanels * mr * depth0;
            int end = PartStart(APanels, AChunks, chunk + 1);
            for (int q = PartStart(APanels, AChunks, chunk); q < end; q++)
                GemmPacking.PackA(A, Lda, TransA, q * mr, Math.Min(mr, Rows - q * mr), mr, depth0, depth, block + (nint)q * mr * depth);
        }
    }

    private struct ColumnChunkJob : IParallelBody
    {
        public float* PackedA, B, C;
        public nint Ldb, Ldc;
        public bool TransB, Accumulate;
        public int M, N, K, DepthBlock, APanels, BPanels, Chunks, RowBlock;

        public readonly void Invoke(int chunk)
        {
            int mr = TKernel.Rows, nr = TKernel.Columns;
            int q0 = PartStart(BPanels, Chunks, chunk), q1 = PartStart(BPanels, Chunks, chunk + 1);
            float* tile = stackalloc float[mr * nr];
            // This thread's own buffer: the chunk's B panels for one depth block.
            float* packedB = GemmScratch.Current.PackedB((q1 - q0) * nr * DepthBlock);
            for (int depth0 = 0; depth0 < K; depth0 += DepthBlock)
            {
                int depth = Math.Min(DepthBlock, K - depth0);
                for (int q = q0; q < q1; q++)
                    GemmPacking.PackB(B, Ldb, TransB, depth0, depth, q * nr, Math.Min(nr, N - q * nr), nr, packedB + (nint)(q - q0) * nr * depth);
                float* aBlock = PackedA + (nint)APanels * mr * depth0;
                bool accumulate = Accumulate || depth0 > 0;
                for (int i0 = 0; i0 < M; i0 += RowBlock)
                    MultiplyPanels(aBlock, i0, Math.Min(M, i0 + RowBlock), packedB, q0, q1, N, depth, C, Ldc, accumulate, tile);
            }
        }
    }

    /// <summary>
    /// C rows [i0, i1) × the columns of B panels [q0, q1) (+)= packed A × packed B over one depth block.
    /// A panel r is at packedA + r·MR·depth; B panel q at packedB + (q − q0)·NR·depth; i0 is a multiple of MR.
    /// </summary>
    private static void MultiplyPanels(float* packedA, int i0, int i1, float* packedB, int q0, int q1, int columns, int depth, float* c, nint ldc, bool accumulate, float* tile)
    {
        int mr = TKernel.Rows, nr = TKernel.Columns;
        for (int q = q0; q < q1; q++)
        {
            int j = q * nr;
            int width = Math.Min(nr, columns - j);
            float* bPanel = packedB + (nint)(q - q0) * nr * depth;
            for (int i = i0; i < i1; i += mr)
            {
                int rows = Math.Min(mr, i1 - i);
                float* aPanel = packedA + (nint)(i / mr) * mr * depth;
                float* cTile = c + i * ldc + j;
                if (width == nr)
                {
                    TKernel.RunPacked(rows, depth, aPanel, bPanel, cTile, ldc, accumulate);
                }
                else
                {
                    TKernel.RunPacked(rows, depth, aPanel, bPanel, tile, nr, false);
                    GemmPacking.MergeTile(tile, nr, rows, width, cTile, ldc, accumulate);
                }
            }
        }
    }
}
