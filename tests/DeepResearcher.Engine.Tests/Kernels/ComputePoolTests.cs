using DeepResearcher.Engine.Threading;

namespace DeepResearcher.Engine.Tests.Kernels;

// Shares a collection with GemmTests: both change ComputePool.Shared.Parallelism, so they must not run at the same time.
[Collection("ComputePool.Shared settings")]
public class ComputePoolTests
{
    [Fact]
    public void EveryIndexRunsExactlyOnce()
    {
        var hits = new int[10_000];
        ComputePool.Shared.For(hits.Length, new CountingBody(hits));
        Assert.All(hits, h => Assert.Equal(1, h));
    }

    [Fact]
    public void ManyConsecutiveLoopsAllComplete()
    {
        long total = 0;
        for (int loop = 0; loop < 2000; loop++)
            ComputePool.Shared.For(3, i => Interlocked.Add(ref total, i + 1));
        Assert.Equal(2000L * 6, total);
    }

    [Fact]
    public void NestedLoopRunsSeriallyWithoutDeadlock()
    {
        var sums = new int[8];
        var nestedInside = new bool[8];
        ComputePool.Shared.For(8, i =>
        {
            nestedInside[i] = ComputePool.IsInsideLoop;
            ComputePool.Shared.For(100, j => sums[i] += j);
        });
        Assert.All(sums, s => Assert.Equal(4950, s));
        Assert.All(nestedInside, Assert.True);
        Assert.False(ComputePool.IsInsideLoop);
    }

    [Fact]
    public void ExceptionFromAnIterationPropagatesToTheCaller()
    {
        var ex = Assert.Throws<InvalidOperationException>(() =>
            ComputePool.Shared.For(64, i =>
            {
                if (i == 37)
                    throw new InvalidOperationException("iteration 37");
            }));
        Assert.Equal("iteration 37", ex.Message);

        // The pool is still usable afterwards.
        int count = 0;
        ComputePool.Shared.For(64, _ => Interlocked.Increment(ref count));
        Assert.Equal(64, count);
    }

    [Fact]
    public void ConcurrentCallersBothComplete()
    {
        long first = 0, second = 0;
        var t1 = new Thread(() => { for (int r = 0; r < 200; r++) ComputePool.Shared.For(50, i => Interlocked.Add(ref first, i)); });
        var t2 = new Thread(() => { for (int r = 0; r < 200; r++) ComputePool.Shared.For(50, i => Interlocked.Add(ref second, i)); });
        t1.Start();
        t2.Start();
        Assert.True(t1.Join(TimeSpan.FromSeconds(20)));
        Assert.True(t2.Join(TimeSpan.FromSeconds(20)));
        Assert.Equal(200L * 1225, first);
        Assert.Equal(200L * 1225, second);
    }

    [Fact]
    public void ParallelismOutsideItsRangeIsRejected()
    {
        var pool = ComputePool.Shared;
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Parallelism = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Parallelism = pool.ThreadCount + 1);
    }

    [Fact]
    public void ZeroCountRunsNothingAndNegativeIsRejected()
    {
        ComputePool.Shared.For(0, _ => Assert.Fail("no iteration expected"));
        Assert.Throws<ArgumentOutOfRangeException>(() => ComputePool.Shared.For(-1, _ => { }));
    }

    [Fact]
    public void RefStructBodyCanWriteThroughASpan()
    {
        Span<long> squares = new long[1000];
        ComputePool.Shared.For(squares.Length, new SquaresBody(squares));
        for (int i = 0; i < squares.Length; i++)
            Assert.Equal((long)i * i, squares[i]);
    }

    [Fact]
    public void ParallelismOfOneRunsEverythingOnTheCaller()
    {
        var pool = ComputePool.Shared;
        int saved = pool.Parallelism;
        try
        {
            pool.Parallelism = 1;
            int caller = Environment.CurrentManagedThreadId;
            var threads = new int[50];
            pool.For(threads.Length, i => threads[i] = Environment.CurrentManagedThreadId);
            Assert.All(threads, t => Assert.Equal(caller, t));
        }
        finally
        {
            pool.Parallelism = saved;
        }
    }

    private readonly ref struct SquaresBody(Span<long> squares) : IParallelBody
    {
        private readonly Span<long> _squares = squares;

        public void Invoke(int index) => _squares[index] = (long)index * index;
    }

    private readonly struct CountingBody(int[] hits) : IParallelBody
    {
        public void Invoke(int index) => Interlocked.Increment(ref hits[index]);
    }
}
