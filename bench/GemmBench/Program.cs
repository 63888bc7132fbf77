using System.Diagnostics;
using System.Globalization;
using DeepResearcher.Engine.Kernels;
using DeepResearcher.Engine.Threading;

// GFLOP/s of the engine GEMM variants on Qwen2.5-0.5B shapes, side by side with numpy/OpenBLAS in the same run.
// Usage: GemmBench [--seconds 0.4] [--threads 1,2] [--variants Vector512,Vector256] [--no-numpy] [--python python3]
//                  [--shapes 8x] [--shape 32x4864x896xNT ...] [--tune] [--work] [--stat min|median] [--clock thread|wall] [--direct-max-rows 96] [--dot-max-rows 24] [--direct-depth 512]

var seconds = 0.4;
int[] threadCounts = [1, 2];
GemmVariant[] variants = [GemmVariant.Vector512, GemmVariant.Vector256];
bool numpy = true;
bool tune = false;
// Fastest run by default: on a shared machine the median mostly measures the neighbours.
string statistic = "min";
// "thread": one-thread runs are timed by the thread's CPU time (preemption excluded); "wall": always wall clock.
string clock = "thread";
bool work = false;
// The blocking every measurement runs; --direct-depth, --direct-max-rows and --dot-max-rows change it.
var tuning = GemmTuning.Default;
string? shapeFilter = null;
var customShapes = new List<(int M, int N, int K, bool TransA, bool TransB)>();
// Debian's interpreter, which sees python3-numpy, even when a pyenv python3 comes first on PATH.
string python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--seconds": seconds = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--threads": threadCounts = args[++i].Split(',').Select(int.Parse).ToArray(); break;
        case "--variants": variants = args[++i].Split(',').Select(Enum.Parse<GemmVariant>).ToArray(); break;
        case "--no-numpy": numpy = false; break;
        case "--tune": tune = true; break;
        case "--stat": statistic = args[++i]; break;
        case "--clock": clock = args[++i]; break;
        case "--work": work = true; break;
        case "--direct-depth": tuning = tuning with { DirectDepthBlock = int.Parse(args[++i], CultureInfo.InvariantCulture) }; break;
        case "--direct-max-rows": tuning = tuning with { DirectMaxRows = int.Parse(args[++i], CultureInfo.InvariantCulture) }; break;
        case "--dot-max-rows": tuning = tuning with { DotMaxRows = int.Parse(args[++i], CultureInfo.InvariantCulture) }; break;
        case "--shapes": shapeFilter = args[++i]; break;
        case "--shape": customShapes.Add(ParseShape(args[++i])); break;
        case "--python": python = args[++i]; break;
        default: Console.Error.WriteLine($"unknown argument {args[i]}"); return 2;
    }
}

// d = 896, ffn = 4864: prefill MLP up/down projections, batched decode (M = 8) and single-token decode (M = 1),
// with B row-major ([k, n]) and transposed ([n, k], how nn.Linear stores weights); last, a rank-16 LoRA projection.
(int M, int N, int K, bool TransA, bool TransB)[] shapes =
[
    (512, 4864, 896, false, false),
    (512, 4864, 896, false, true),
    (512, 896, 4864, false, false),
    (512, 896, 4864, true, false),
    (8, 4864, 896, false, false),
    (8, 4864, 896, false, true),
    (1, 4864, 896, false, false),
    (1, 4864, 896, false, true),
    (512, 16, 896, false, true),
    (512, 16, 896, false, false),
];
if (customShapes.Count > 0)
    shapes = customShapes.ToArray();
if (shapeFilter is not null)
    shapes = shapes.Where(s => $"{s.M}x{s.N}x{s.K}".StartsWith(shapeFilter, StringComparison.Ordinal)).ToArray();

var pool = ComputePool.Shared;
MeasurePool(pool);
if (tune)
{
    Tune(seconds, threadCounts[0]);
    return 0;
}
Console.WriteLine($"# {Environment.ProcessorCount} processors, pool of {pool.ThreadCount} threads, default variant {Gemm.DefaultVariant}, {seconds:0.##} s per measurement, {statistic} time → GFLOP/s; one-thread runs timed by {(clock == "thread" ? "thread CPU time" : "wall clock")}, two-thread runs by wall clock");
var header = new List<string> { "shape (m n k tA tB)", "thr" };
header.AddRange(variants.Select(v => v.ToString()));
if (numpy)
{
    header.Add("numpy");
    header.AddRange(variants.Select(v => $"{v}/np"));
}
Console.WriteLine(string.Join(" | ", header));

foreach (int threads in threadCounts)
{
    if (threads > pool.ThreadCount)
    {
        Console.WriteLine($"# skipping {threads} threads: pool has {pool.ThreadCount}");
        continue;
    }
    double[]? numpyFigures = numpy ? RunNumpy(python, shapes, threads, seconds, statistic, clock == "thread" && threads == 1) : null;
    for (int s = 0; s < shapes.Length; s++)
    {
        var (m, n, k, transA, transB) = shapes[s];
        pool.Parallelism = threads;
        var row = new List<string> { $"{m} {n} {k} {(transA ? 'T' : 'N')} {(transB ? 'T' : 'N')}", threads.ToString(CultureInfo.InvariantCulture) };
        var figures = variants.Select(v => Measure(v, m, n, k, transA, transB, seconds, statistic, clock == "thread" && threads == 1, tuning)).ToArray();
        row.AddRange(figures.Select(f => f.ToString("0.0", CultureInfo.InvariantCulture)));
        if (numpyFigures is not null)
        {
            row.Add(numpyFigures[s].ToString("0.0", CultureInfo.InvariantCulture));
            row.AddRange(figures.Select(f => (f / numpyFigures[s]).ToString("0.00", CultureInfo.InvariantCulture)));
        }
        Console.WriteLine(string.Join(" | ", row));
    }
}
if (work)
    ReportWork(shapes, threadCounts, Gemm.DefaultVariant, tuning);
return 0;

// Process CPU time per product at each thread count: on shared cores the wall clock cannot show parallel
// efficiency, but extra CPU time for the same product would (spinning, duplicated packing, imbalance waits).
static void ReportWork((int M, int N, int K, bool TransA, bool TransB)[] shapes, int[] threadCounts, GemmVariant variant, GemmTuning tuning)
{
    var process = Process.GetCurrentProcess();
    Console.WriteLine($"# CPU time per product ({variant}), all threads of this process: " + string.Join(" | ", threadCounts.Select(t => $"{t} thr")));
    foreach (var (m, n, k, transA, transB) in shapes)
    {
        var a = new float[m * k];
        var b = new float[k * n];
        var c = new float[m * n];
        Array.Fill(a, 0.5f);
        Array.Fill(b, 0.25f);
        int lda = transA ? m : k, ldb = transB ? k : n;
        var cells = new List<string>();
        foreach (int threads in threadCounts)
        {
            ComputePool.Shared.Parallelism = Math.Min(threads, ComputePool.Shared.ThreadCount);
            for (int i = 0; i < 3; i++)
                Gemm.Multiply(variant, a, lda, transA, b, ldb, transB, c, n, m, n, k, accumulate: false, tuning);
            int runs = Math.Max(3, (int)(2e9 / (2.0 * m * n * k)));
            process.Refresh();
            var start = process.TotalProcessorTime;
            for (int i = 0; i < runs; i++)
                Gemm.Multiply(variant, a, lda, transA, b, ldb, transB, c, n, m, n, k, accumulate: false, tuning);
            process.Refresh();
            double milliseconds = (process.TotalProcessorTime - start).TotalMilliseconds / runs;
            cells.Add(milliseconds.ToString("0.00", CultureInfo.InvariantCulture) + " ms");
        }
        Console.WriteLine($"# {m} {n} {k} {(transA ? 'T' : 'N')} {(transB ? 'T' : 'N')} | " + string.Join(" | ", cells));
    }
}

// Cost of one parallel loop with trivial bodies: the fixed overhead every parallel GEMM pays (twice per depth block).
static void MeasurePool(ComputePool pool)
{
    pool.Parallelism = pool.ThreadCount;
    var body = new NoWork();
    for (int i = 0; i < 1000; i++)
        pool.For(pool.ThreadCount, body);
    const int Loops = 20000;
    long start = Stopwatch.GetTimestamp();
    for (int i = 0; i < Loops; i++)
        pool.For(pool.ThreadCount, body);
    double hot = Stopwatch.GetElapsedTime(start).TotalMicroseconds / Loops;
    // After a pause the workers have gone to sleep and must be woken.
    double cold = 0;
    for (int i = 0; i < 20; i++)
    {
        Thread.Sleep(5);
        long t = Stopwatch.GetTimestamp();
        pool.For(pool.ThreadCount, body);
        cold += Stopwatch.GetElapsedTime(t).TotalMicroseconds / 20;
    }
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"# pool loop overhead: {hot:0.00} µs back to back, {cold:0.0} µs after the workers slept"));
}

// Sweeps the cache-blocking sizes of the Vector512 driver on the prefill shapes (first --threads value).
static void Tune(double seconds, int threads)
{
    ComputePool.Shared.Parallelism = threads;
    (int M, int N, int K, bool TransA, bool TransB)[] shapes =
        [(512, 4864, 896, false, false), (512, 4864, 896, false, true), (512, 896, 4864, false, false), (128, 4864, 896, false, false), (128, 4864, 896, false, true)];
    Console.WriteLine("KC | MC | NC | " + string.Join(" | ", shapes.Select(s => $"{s.M}x{s.N}x{s.K} {(s.TransA ? 'T' : 'N')}{(s.TransB ? 'T' : 'N')}")));
    foreach (int kc in new[] { 256, 384 })
    {
        foreach (int mc in new[] { 96, 192 })
        {
            foreach (int nc in new[] { 512, 1024, 2048, 4096 })
            {
                var blocking = GemmTuning.Default with { DepthBlock = kc, RowBlock = mc, ColumnBlock = nc };
                var figures = shapes.Select(s => Measure(GemmVariant.Vector512, s.M, s.N, s.K, s.TransA, s.TransB, seconds, threadTime: threads == 1, tuning: blocking).ToString("0.0", CultureInfo.InvariantCulture));
                Console.WriteLine($"{kc} | {mc} | {nc} | " + string.Join(" | ", figures));
            }
        }
    }
}

// "32x4864x896xNT": m, n, k and the transA/transB letters.
static (int M, int N, int K, bool TransA, bool TransB) ParseShape(string text)
{
    var parts = text.Split('x');
    return (int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture), int.Parse(parts[2], CultureInfo.InvariantCulture),
        parts.Length > 3 && parts[3][0] == 'T', parts.Length > 3 && parts[3][1] == 'T');
}

static double Measure(GemmVariant variant, int m, int n, int k, bool transA, bool transB, double seconds, string statistic = "min", bool threadTime = true, GemmTuning? tuning = null)
{
    var rng = new Random(1);
    var a = new float[m * k];
    var b = new float[k * n];
    var c = new float[m * n];
    for (int i = 0; i < a.Length; i++) a[i] = (float)rng.NextDouble() - 0.5f;
    for (int i = 0; i < b.Length; i++) b[i] = (float)rng.NextDouble() - 0.5f;
    int lda = transA ? m : k, ldb = transB ? k : n;
    // Warm up: JIT to the optimised tier and touch the packing buffers.
    for (int i = 0; i < 3; i++)
        Gemm.Multiply(variant, a, lda, transA, b, ldb, transB, c, n, m, n, k, accumulate: false, tuning);
    var times = new List<double>();
    var total = Stopwatch.StartNew();
    while (total.Elapsed.TotalSeconds < seconds || times.Count < 3)
    {
        if (threadTime)
        {
            double start = ThreadClock.Now();
            Gemm.Multiply(variant, a, lda, transA, b, ldb, transB, c, n, m, n, k, accumulate: false, tuning);
            times.Add(ThreadClock.Now() - start);
        }
        else
        {
            long start = Stopwatch.GetTimestamp();
            Gemm.Multiply(variant, a, lda, transA, b, ldb, transB, c, n, m, n, k, accumulate: false, tuning);
            times.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
    }
    times.Sort();
    return 2.0 * m * n * k / (statistic == "median" ? times[times.Count / 2] : times[0]) / 1e9;
}

static double[] RunNumpy(string python, (int M, int N, int K, bool TransA, bool TransB)[] shapes, int threads, double seconds, string statistic, bool threadTime)
{
    var script = Path.Combine(AppContext.BaseDirectory, "numpy_gemm.py");
    var start = new ProcessStartInfo(python, [script])
    {
        RedirectStandardInput = true,
        RedirectStandardOutput = true,
        UseShellExecute = false,
    };
    start.Environment["OPENBLAS_NUM_THREADS"] = threads.ToString(CultureInfo.InvariantCulture);
    start.Environment["OPENBLAS_CORETYPE"] = "SkylakeX";
    start.Environment["OMP_WAIT_POLICY"] = "PASSIVE";
    using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {python}");
    foreach (var (m, n, k, transA, transB) in shapes)
        process.StandardInput.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{m} {n} {k} {(transA ? 1 : 0)} {(transB ? 1 : 0)} {seconds} {statistic} {(threadTime ? "thread" : "wall")}"));
    process.StandardInput.Close();
    var figures = new double[shapes.Length];
    for (int i = 0; i < shapes.Length; i++)
        figures[i] = double.Parse(process.StandardOutput.ReadLine() ?? "NaN", CultureInfo.InvariantCulture);
    process.WaitForExit();
    return figures;
}

readonly struct NoWork : IParallelBody
{
    public void Invoke(int index)
    {
    }
}
