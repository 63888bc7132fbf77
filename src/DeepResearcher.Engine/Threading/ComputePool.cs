using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace DeepResearcher.Engine.Threading;

/// <summary>
/// The one set of compute threads behind all engine parallelism.
/// <para>
/// A fixed number of workers spin briefly after each loop (consecutive kernels follow each other within
/// microseconds) and then block, so an idle pool costs no CPU. The calling thread takes part in every loop.
/// There is deliberately a single shared instance: two pools spinning on the same cores starve each other.
/// A loop started from inside a loop body, or while another thread owns the pool, runs serially on the
/// calling thread instead of deadlocking or oversubscribing the cores.
/// </para>
/// <example>
/// A struct body allocates nothing per loop (a <c>ref struct</c> may even hold spans):
/// <code>
/// readonly struct ScaleRows(float[] data, int width, float factor) : IParallelBody
/// {
///     public void Invoke(int row) => TensorPrimitives.Multiply(data.AsSpan(row * width, width), factor, data.AsSpan(row * width, width));
/// }
/// ComputePool.Shared.For(rows, new ScaleRows(data, width, 0.5f));
/// ComputePool.Shared.For(heads, h => AttendHead(h));   // convenience overload: allocates the closure
/// </code>
/// </example>
/// </summary>
public sealed unsafe class ComputePool
{
    /// <summary>Environment variable that sets the number of threads (caller included) of <see cref="Shared"/>.</summary>
    public const string ThreadCountVariable = "DEEPRESEARCHER_THREADS";

    private static readonly Lazy<ComputePool> SharedPool = new(() => new ComputePool(DefaultThreadCount()));

    /// <summary>The process-wide pool, created on first use with <see cref="ThreadCountVariable"/> or the processor count threads.</summary>
    public static ComputePool Shared => SharedPool.Value;

    [ThreadStatic] private static bool _insideLoop;

    private static readonly long SpinTicks = Stopwatch.Frequency / 5000; // 200 µs

    private readonly Thread[] _workers;
    private readonly object _sleepGate = new();
    private readonly object _ownerGate = new();
    private int _parallelism;
    private int _sleepers;

    // The published loop. cursor packs (generation << 32 | next index) so that a worker that wakes late
    // can never claim an index of a newer loop with the body of an older one.
    private long _cursor;
    private int _generation;
    private int _count;
    private int _completed;
    private delegate*<void*, int, void> _invoke;
    private void* _body;
    private ExceptionDispatchInfo? _failure;

    private ComputePool(int threadCount)
    {
        ThreadCount = threadCount;
        _parallelism = threadCount;
        _workers = new Thread[threadCount - 1];
        for (int i = 0; i < _workers.Length; i++)
        {
            int workerIndex = i;
            _workers[i] = new Thread(() => WorkerLoop(workerIndex))
            {
                IsBackground = true,
                Name = $"ComputePool worker {i + 1}",
            };
            _workers[i].Start();
        }
    }

    /// <summary>Number of threads that can run one loop, the calling thread included.</summary>
    public int ThreadCount { get; }

    /// <summary>
    /// How many threads (caller included) later loops use, between 1 and <see cref="ThreadCount"/>.
    /// Lowering it leaves the extra workers asleep; benches use it to measure 1 against N threads.
    /// </summary>
    public int Parallelism
    {
        get => Volatile.Read(ref _parallelism);
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, ThreadCount);
            Volatile.Write(ref _parallelism, value);
        }
    }

    /// <summary>True on a thread that is currently running a loop body of this pool; loops started there run serially.</summary>
    public static bool IsInsideLoop => _insideLoop;

    /// <summary>Runs <c>body.Invoke(i)</c> for every i in [0, count), spread over the pool, and returns when all are done.</summary>
    /// <remarks>If iterations throw, the first exception is rethrown here (original stack trace) once no iteration is running; iterations not yet started may be skipped.</remarks>
    public void For<TBody>(int count, TBody body)
        where TBody : IParallelBody, allows ref struct
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count == 0)
            return;

        int threads = Math.Min(Parallelism, count);
        if (threads <= 1 || _insideLoop || !Monitor.TryEnter(_ownerGate))
        {
            RunSerially(count, ref body);
            return;
        }

        try
        {
            // body lives in this frame until every iteration has completed, so workers may read it through a pointer.
            Publish(count, &InvokeBody<TBody>, Unsafe.AsPointer(ref body));
            _insideLoop = true;
            try
            {
                RunIterations(_generation);
            }
            finally
            {
                _insideLoop = false;
            }

            var spin = new SpinWait();
            while (Volatile.Read(ref _completed) < count)
                spin.SpinOnce(sleep1Threshold: -1);

            Close();
            var error = _failure;
            _failure = null;
            error?.Throw();
        }
        finally
        {
            Monitor.Exit(_ownerGate);
        }
    }

    /// <summary>Convenience overload for a delegate body; allocates the closure the caller builds, so hot paths should use a struct body.</summary>
    public void For(int count, Action<int> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        For(count, new DelegateBody(body));
    }

    private static void RunSerially<TBody>(int count, ref TBody body)
        where TBody : IParallelBody, allows ref struct
    {
        bool wasInside = _insideLoop;
        _insideLoop = true;
        try
        {
            for (int i = 0; i < count; i++)
                body.Invoke(i);
        }
        finally
        {
            _insideLoop = wasInside;
        }
    }

    private static void InvokeBody<TBody>(void* body, int index)
        where TBody : IParallelBody, allows ref struct
        => Unsafe.AsRef<TBody>(body).Invoke(index);

    private void Publish(int loopCount, delegate*<void*, int, void> loopInvoke, void* loopBody)
    {
        _count = loopCount;
        _completed = 0;
        _invoke = loopInvoke;
        _body = loopBody;
        _failure = null;
        int next = _generation + 1;
        Interlocked.Exchange(ref _cursor, (long)next << 32);
        // Full fence: pairs with the worker's Interlocked.Increment(ref sleepers) before it re-checks generation.
        Interlocked.Exchange(ref _generation, next);
        if (Volatile.Read(ref _sleepers) > 0)
        {
            lock (_sleepGate)
                Monitor.PulseAll(_sleepGate);
        }
    }

    /// <summary>Marks the finished loop exhausted before its fields are reused, so a worker that read a mix of old and new fields claims nothing.</summary>
    private void Close() => Interlocked.Exchange(ref _cursor, ((long)_generation << 32) | int.MaxValue);

    private void RunIterations(int loopGeneration)
    {
        var loopInvoke = _invoke;
        var loopBody = _body;
        int loopCount = _count;
        while (true)
        {
            long current = Volatile.Read(ref _cursor);
            if ((int)(current >> 32) != loopGeneration)
                return;
            int index = (int)current;
            if (index >= loopCount)
                return;
            if (Interlocked.CompareExchange(ref _cursor, current + 1, current) != current)
                continue;
            try
            {
                loopInvoke(loopBody, index);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(e), null);
            }
            Interlocked.Increment(ref _completed);
        }
    }

    private void WorkerLoop(int workerIndex)
    {
        _insideLoop = true;
        int seen = 0;
        while (true)
        {
            int current = WaitForNewLoop(seen);
            seen = current;
            if (workerIndex >= Parallelism - 1)
                continue;
            // Re-read the loop fields only if they still belong to the generation we woke for.
            if (Volatile.Read(ref _generation) != current)
                continue;
            RunIterations(current);
        }
    }

    private int WaitForNewLoop(int seen)
    {
        long spinUntil = Stopwatch.GetTimestamp() + SpinTicks;
        while (Stopwatch.GetTimestamp() < spinUntil)
        {
            for (int i = 0; i < 64; i++)
            {
                int current = Volatile.Read(ref _generation);
                if (current != seen)
                    return current;
                Thread.SpinWait(8);
            }
            // Offer the core to another ready thread between bursts: when other jobs leave the pool fewer cores than
            // threads, a worker spinning here would otherwise hold the core the calling thread needs for its serial
            // work until the scheduler preempts it (milliseconds). On an idle machine the call returns at once.
            Thread.Yield();
        }

        lock (_sleepGate)
        {
            Interlocked.Increment(ref _sleepers);
            try
            {
                int current;
                while ((current = Volatile.Read(ref _generation)) == seen)
                    Monitor.Wait(_sleepGate);
                return current;
            }
            finally
            {
                Interlocked.Decrement(ref _sleepers);
            }
        }
    }

    private static int DefaultThreadCount()
    {
        var configured = Environment.GetEnvironmentVariable(ThreadCountVariable);
        if (int.TryParse(configured, out int threads) && threads >= 1)
            return Math.Min(threads, 256);
        return Environment.ProcessorCount;
    }

    private readonly struct DelegateBody(Action<int> action) : IParallelBody
    {
        public void Invoke(int index) => action(index);
    }
}
