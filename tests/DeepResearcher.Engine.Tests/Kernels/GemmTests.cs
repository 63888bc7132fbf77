using DeepResearcher.Engine.Kernels;
using DeepResearcher.Engine.Threading;

namespace DeepResearcher.Engine.Tests.Kernels;

// Shares a collection with ComputePoolTests: both change ComputePool.Shared.Parallelism, so they must not run at the same time.
[Collection("ComputePool.Shared settings")]
public class GemmTests
{
    // Shapes chosen to hit every path: the unpacked paths (dot products for transposed B up to m = 24, the
    // in-place register block for row-major B up to m = 96, more than one 512-deep block), the packed path with
    // edges in rows (not a multiple of 6), columns (not a multiple of 16/64) and depth (more than one 256-deep
    // block), more columns than one 2048 block (and than eight parallel column chunks), more rows than one
    // 1536-row packing block, and narrow (LoRA-rank, n <= 16) outputs.
    private static readonly (int M, int N, int K)[] Shapes =
    [
        (1, 1, 1),
        (1, 37, 19),
        (37, 1, 19),
        (5, 7, 1),
        (2, 45, 9),
        (1, 64, 300),
        (8, 100, 300),
        (16, 130, 17),
        (17, 70, 33),
        (6, 64, 160),
        (9, 70, 600),
        (64, 65, 20),
        (65, 64, 20),
        (100, 67, 161),
        (70, 40, 1000),
        (120, 40, 600),
        (70, 4100, 3),
        (100, 4100, 2),
        (25, 17000, 2),
        (1600, 20, 3),
        (150, 8, 70),
        (40, 16, 200),
    ];

    public static IEnumerable<TheoryDataRow<GemmVariant, bool, bool>> VariantsAndTransposes()
    {
        foreach (var variant in new[] { GemmVariant.Vector256, GemmVariant.Vector512 })
        {
            foreach (bool transA in new[] { false, true })
            {
                foreach (bool transB in new[] { false, true })
                    yield return new(variant, transA, transB);
            }
        }
    }

    [Theory]
    [MemberData(nameof(VariantsAndTransposes))]
    public void MatchesReferenceOnAllShapes(GemmVariant variant, bool transA, bool transB)
    {
        foreach (var (m, n, k) in Shapes)
        {
            foreach (bool accumulate in new[] { false, true })
                AssertMatchesReference(variant, m, n, k, transA, transB, accumulate, padding: 0);
            AssertMatchesReference(variant, m, n, k, transA, transB, accumulate: true, padding: 3);
        }
    }

    [Theory]
    [InlineData(GemmVariant.Vector256)]
    [InlineData(GemmVariant.Vector512)]
    [InlineData(GemmVariant.Reference)]
    public void EveryVariantMatchesOnAnOddShape(GemmVariant variant)
    {
        AssertMatchesReference(variant, 19, 45, 70, transA: false, transB: true, accumulate: true, padding: 5);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void ParallelAndSerialRunsAgree(int threads)
    {
        var pool = ComputePool.Shared;
        int saved = pool.Parallelism;
        try
        {
            pool.Parallelism = Math.Min(threads, pool.ThreadCount);
            AssertMatchesReference(GemmVariant.Vector512, 200, 300, 170, transA: false, transB: false, accumulate: false, padding: 1);
            AssertMatchesReference(GemmVariant.Vector512, 8, 900, 200, transA: false, transB: true, accumulate: false, padding: 0);
            AssertMatchesReference(GemmVariant.Vector512, 8, 900, 200, transA: false, transB: false, accumulate: false, padding: 0);
        }
        finally
        {
            pool.Parallelism = saved;
        }
    }

    [Theory]
    [InlineData(GemmVariant.Vector256, false)]
    [InlineData(GemmVariant.Vector256, true)]
    [InlineData(GemmVariant.Vector512, false)]
    [InlineData(GemmVariant.Vector512, true)]
    public void OperandsAtAnyAlignmentAgree(GemmVariant variant, bool transB)
    {
        // The unpacked paths realign their loads to where B starts; start it at every float offset in a cache line.
        var rng = new Random(11);
        const int m = 5, n = 83, k = 45;
        int ldb = transB ? 48 : 96;
        var storage = RandomArray(rng, 16 + (transB ? n : k) * ldb);
        var a = RandomArray(rng, m * k);
        for (int offset = 0; offset < 16; offset++)
        {
            var b = storage.AsSpan(offset, (transB ? n : k) * ldb).ToArray();
            var expected = new float[m * n];
            var actual = new float[m * n];
            GemmReference.Multiply(a, k, false, b, ldb, transB, expected, n, m, n, k);
            Gemm.Multiply(variant, a, k, false, storage.AsSpan(offset), ldb, transB, actual, n, m, n, k);
            AssertClose(expected, actual, AbsoluteProducts(a, k, false, b, ldb, transB, m, n, k), n, m, n, $"offset {offset}");
        }
    }

    [Theory]
    [InlineData(5, false)]
    [InlineData(5, true)]
    [InlineData(70, false)]
    [InlineData(70, true)]
    public void ResultIsBitwiseIndependentOfAddressesAndThreadCount(int m, bool transB)
    {
        // Copies of the same weights must give the same logits: no path may split sums by memory alignment
        // or by how work was shared out.
        var rng = new Random(13);
        const int n = 300, k = 200;
        int ldb = transB ? k : n;
        var a = RandomArray(rng, m * k);
        var b = RandomArray(rng, (transB ? n : k) * ldb);
        var pool = ComputePool.Shared;
        int saved = pool.Parallelism;
        float[]? first = null;
        try
        {
            for (int offset = 0; offset < 16; offset++)
            {
                pool.Parallelism = 1 + offset % pool.ThreadCount;
                var aCopy = new float[16 + a.Length];
                var bCopy = new float[16 + b.Length];
                a.CopyTo(aCopy, offset);
                b.CopyTo(bCopy, 15 - offset);
                var c = new float[m * n];
                Gemm.Multiply(GemmVariant.Vector512, aCopy.AsSpan(offset), k, false, bCopy.AsSpan(15 - offset), ldb, transB, c, n, m, n, k);
                first ??= c;
                Assert.Equal(first, c);
            }
        }
        finally
        {
            pool.Parallelism = saved;
        }
    }

    [Fact]
    public void ContiguousOverloadUsesTightLeadingDimensions()
    {
        var rng = new Random(7);
        const int m = 9, n = 21, k = 33;
        var a = RandomArray(rng, k * m);
        var b = RandomArray(rng, n * k);
        var expected = new float[m * n];
        var actual = new float[m * n];
        GemmReference.Multiply(a, m, true, b, k, true, expected, n, m, n, k);
        Gemm.Multiply(a, b, actual, m, n, k, transA: true, transB: true);
        AssertClose(expected, actual, AbsoluteProducts(a, m, true, b, k, true, m, n, k), n, m, n);
    }

    [Fact]
    public void ZeroDepthClearsOrKeepsC()
    {
        var c = new float[] { 1, 2, 3, 4 };
        Gemm.Multiply([], [], c, 2, 2, 0, accumulate: true);
        Assert.Equal(new float[] { 1, 2, 3, 4 }, c);
        Gemm.Multiply([], [], c, 2, 2, 0);
        Assert.Equal(new float[4], c);
    }

    [Fact]
    public void CallsFromInsidePoolLoopsRunAndAgree()
    {
        var rng = new Random(3);
        const int m = 40, n = 50, k = 60;
        var a = RandomArray(rng, m * k);
        var b = RandomArray(rng, k * n);
        var expected = new float[m * n];
        GemmReference.Multiply(a, k, false, b, n, false, expected, n, m, n, k);
        var results = new float[4][];
        ComputePool.Shared.For(4, i =>
        {
            results[i] = new float[m * n];
            Gemm.Multiply(a, b, results[i], m, n, k);
        });
        var scale = AbsoluteProducts(a, k, false, b, n, false, m, n, k);
        foreach (var result in results)
            AssertClose(expected, result, scale, n, m, n);
    }

    [Fact]
    public void ConcurrentCallersFromTwoThreadsAgree()
    {
        // One caller gets the pool, the other runs serially; each uses its own packing buffers.
        var rng = new Random(5);
        const int m = 130, n = 140, k = 150;
        var a = RandomArray(rng, m * k);
        var b = RandomArray(rng, n * k);
        var expected = new float[m * n];
        GemmReference.Multiply(a, k, false, b, k, true, expected, n, m, n, k);
        var scale = AbsoluteProducts(a, k, false, b, k, true, m, n, k);
        var results = new float[2][];
        var threads = new Thread[2];
        for (int t = 0; t < 2; t++)
        {
            int index = t;
            threads[t] = new Thread(() =>
            {
                var c = new float[m * n];
                for (int repeat = 0; repeat < 20; repeat++)
                    Gemm.Multiply(a, b, c, m, n, k, transB: true);
                results[index] = c;
            });
            threads[t].Start();
        }
        foreach (var thread in threads)
            Assert.True(thread.Join(TimeSpan.FromSeconds(20)));
        foreach (var result in results)
            AssertClose(expected, result, scale, n, m, n);
    }

    [Fact]
    public void NegativeSizeIsRejectedByName()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Multiply(new float[4], new float[4], new float[4], -1, 2, 2));
        Assert.Equal("m", ex.ParamName);
    }

    [Theory]
    [InlineData("a", 3, 4, 4)]
    [InlineData("b", 4, 3, 4)]
    [InlineData("c", 4, 4, 3)]
    public void ShortOperandIsRejectedByName(string operand, int aLength, int bLength, int cLength)
    {
        var ex = Assert.Throws<ArgumentException>(() => Gemm.Multiply(new float[aLength], new float[bLength], new float[cLength], 2, 2, 2));
        Assert.Equal(operand, ex.ParamName);
    }

    [Fact]
    public void LeadingDimensionShorterThanRowIsRejected()
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() => Gemm.Multiply(new float[16], 1, false, new float[16], 2, false, new float[16], 2, 2, 2, 2));
        Assert.Equal("lda", ex.ParamName);
    }

    [Theory]
    [InlineData(GemmVariant.Vector512)]
    [InlineData(GemmVariant.Vector256)]
    public void SmallBlockingTuningMatchesReference(GemmVariant variant)
    {
        // Blocks far smaller than the shapes, so each product crosses many depth, row and column blocks; the two
        // row thresholds at 0 and at 200 send the same shapes through the packed and the unpacked paths.
        var packed = new GemmTuning { DepthBlock = 7, RowBlock = 13, ColumnBlock = 40, DirectMaxRows = 0, DotMaxRows = 0, DirectDepthBlock = 5 };
        var direct = packed with { DirectMaxRows = 200, DotMaxRows = 200 };
        foreach (var tuning in new[] { packed, direct })
        {
            foreach (var (m, n, k) in new[] { (37, 90, 50), (100, 67, 161), (8, 100, 30) })
            {
                foreach (bool transB in new[] { false, true })
                    AssertMatchesReference(variant, m, n, k, transA: false, transB, accumulate: true, padding: 3, tuning);
            }
        }
    }

    [Fact]
    public void TuningWithoutABlockIsRejectedByName()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new GemmTuning { DepthBlock = 0 });
        Assert.Equal(nameof(GemmTuning.DepthBlock), ex.ParamName);
        Assert.Contains("at least 1", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new GemmTuning { DotMaxRows = -1 });
    }

    private static void AssertMatchesReference(GemmVariant variant, int m, int n, int k, bool transA, bool transB, bool accumulate, int padding, GemmTuning? tuning = null)
    {
        var rng = new Random(HashCode.Combine(m, n, k, transA, transB, accumulate, padding));
        int lda = (transA ? m : k) + padding, ldb = (transB ? k : n) + padding, ldc = n + padding;
        var a = RandomArray(rng, (transA ? k : m) * lda);
        var b = RandomArray(rng, (transB ? n : k) * ldb);
        // Padding holds NaN in the inputs (it must never be read) and a sentinel in C (it must never be written).
        PoisonPadding(a, lda, transA ? m : k, float.NaN);
        PoisonPadding(b, ldb, transB ? k : n, float.NaN);
        var initial = RandomArray(rng, m * ldc);
        PoisonPadding(initial, ldc, n, 12345f);
        var expected = (float[])initial.Clone();
        var actual = (float[])initial.Clone();

        GemmReference.Multiply(a, lda, transA, b, ldb, transB, expected, ldc, m, n, k, accumulate);
        Gemm.Multiply(variant, a, lda, transA, b, ldb, transB, actual, ldc, m, n, k, accumulate, tuning);

        var scale = AbsoluteProducts(a, lda, transA, b, ldb, transB, m, n, k);
        for (int i = 0; i < m; i++)
        {
            for (int j = n; j < ldc; j++)
                Assert.Equal(12345f, actual[i * ldc + j]);
        }
        AssertClose(expected, actual, scale, ldc, m, n, $"{variant} m={m} n={n} k={k} transA={transA} transB={transB} accumulate={accumulate} padding={padding}");
    }

    /// <summary>Σp |op(A)[i,p]|·|op(B)[p,j]|: the size float rounding error is relative to.</summary>
    private static float[] AbsoluteProducts(float[] a, int lda, bool transA, float[] b, int ldb, bool transB, int m, int n, int k)
    {
        var absA = a.Select(x => float.IsNaN(x) ? 0f : Math.Abs(x)).ToArray();
        var absB = b.Select(x => float.IsNaN(x) ? 0f : Math.Abs(x)).ToArray();
        var scale = new float[m * n];
        GemmReference.Multiply(absA, lda, transA, absB, ldb, transB, scale, n, m, n, k);
        return scale;
    }

    private static void AssertClose(float[] expected, float[] actual, float[] scale, int ldc, int m, int n, string? context = null)
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                float e = expected[i * ldc + j], g = actual[i * ldc + j];
                // C's previous value (accumulate) counts towards the magnitude too.
                float tolerance = 1e-5f * (scale[i * n + j] + Math.Abs(e)) + 1e-30f;
                if (!(Math.Abs(e - g) <= tolerance))
                    Assert.Fail($"C[{i},{j}] = {g}, expected {e} (tolerance {tolerance}) {context}");
            }
        }
    }

    private static void PoisonPadding(float[] data, int stride, int rowLength, float value)
    {
        for (int start = 0; start < data.Length; start += stride)
        {
            for (int j = rowLength; j < stride; j++)
                data[start + j] = value;
        }
    }

    private static float[] RandomArray(Random rng, int length)
    {
        var data = new float[length];
        for (int i = 0; i < length; i++)
            data[i] = (float)(rng.NextDouble() * 2 - 1);
        return data;
    }
}
