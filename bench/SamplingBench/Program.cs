using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using System.Text.RegularExpressions;
using DeepResearcher.Engine.Model;
using DeepResearcher.Engine.Sampling;
using DeepResearcher.Engine.Threading;

// Decode tokens/s of the KV-cache engine against PyTorch (../shared/bench/torch_qwen_bench.py beside the repository) in the same run,
// with the same protocol: B sequences prefill 16 random tokens, then greedy-decode N − 1 steps (N = 128 tiny, 64 q05b).
var inv = CultureInfo.InvariantCulture;
string[] shapes = Arg("--shapes", "tiny,q05b").Split(',');
int[] batches = Array.ConvertAll(Arg("--batches", "1,8").Split(','), s => int.Parse(s, inv));
string[] weightTypes = Arg("--weights", "f32,bf16").Split(',');
int threads = int.Parse(Arg("--threads", "2"), inv);
bool torch = !args.Contains("--no-torch");
int repetitions = int.Parse(Arg("--repetitions", "3"), inv);
string torchScript = Arg("--torch-script", DefaultTorchScript());
ComputePool.Shared.Parallelism = Math.Min(threads, ComputePool.Shared.ThreadCount);

Console.WriteLine($"SamplingBench: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, threads {ComputePool.Shared.Parallelism}, load average {LoadAverage()}");
var rows = new List<string>();
foreach (var shape in shapes)
{
    var config = shape switch
    {
        "tiny" => new TransformerConfig { VocabSize = 4096, HiddenSize = 256, IntermediateSize = 704, NumLayers = 4, NumHeads = 4, NumKeyValueHeads = 2, QkvBias = true, TieWordEmbeddings = true, RopeTheta = 1e6 },
        "q05b" => new TransformerConfig { VocabSize = 151936, HiddenSize = 896, IntermediateSize = 4864, NumLayers = 24, NumHeads = 14, NumKeyValueHeads = 2, QkvBias = true, TieWordEmbeddings = true, RopeTheta = 1e6 },
        _ => throw new ArgumentException($"unknown shape {shape} (tiny or q05b)"),
    };
    int steps = shape == "tiny" ? 128 : 64;
    var model = RandomModel(config);
    Console.WriteLine($"{shape}: {model.Parameters.Sum(p => (long)p.Length) / 1e6:F1} M parameters");
    foreach (int batch in batches)
    {
        double? torchRate = torch ? TorchDecode(shape, threads, batch) : null;
        foreach (var w in weightTypes)
        {
            var type = w == "bf16" ? InferenceWeightType.BFloat16 : InferenceWeightType.Float32;
            var runner = new CachedTransformer(model, maxRows: Math.Max(16, batch), type);
            double best = 0, bestCpu = 0;
            // Best of several repetitions (PyTorch's script reports its second of two): the first ones warm up the
            // JIT's tiers and the pages.
            for (int rep = 0; rep < repetitions; rep++)
            {
                var (wall, cpu) = EngineDecode(runner, batch, steps);
                best = Math.Max(best, wall);
                bestCpu = Math.Max(bestCpu, cpu);
            }
            string ratio = torchRate is { } t ? (best / t).ToString("F2", inv) : "-";
            // With one thread all compute runs on this thread, so its CPU time measures the work without the neighbours.
            string cpuRate = ComputePool.Shared.Parallelism == 1 ? bestCpu.ToString("F1", inv) : "-";
            string row = string.Create(inv, $"| {shape} | {batch} | {w} | {best:F1} | {cpuRate} | {(torchRate is { } tr ? tr.ToString("F1", inv) : "-")} | {ratio} |");
            Console.WriteLine(row);
            rows.Add(row);
        }
    }
}
Console.WriteLine();
Console.WriteLine("| shape | batch | weights | engine tok/s | engine tok/CPU-s (1 thread) | PyTorch tok/s | engine/PyTorch |");
Console.WriteLine("|---|---|---|---|---|---|---|");
foreach (var row in rows) Console.WriteLine(row);
Console.WriteLine($"load average at the end {LoadAverage()}");
return 0;

static (double Wall, double Cpu) EngineDecode(CachedTransformer runner, int batch, int steps)
{
    const int prompt = 16;
    var config = runner.Config;
    var random = new Random(1);
    var caches = Enumerable.Range(0, batch).Select(_ => runner.CreateCache(prompt + steps)).ToArray();
    var logits = new float[batch * config.VocabSize];
    var tokens = new int[batch];
    for (int s = 0; s < batch; s++)
    {
        var p = Enumerable.Range(0, prompt).Select(_ => random.Next(config.VocabSize)).ToArray();
        runner.Prefill(caches[s], p, logits.AsSpan(0, config.VocabSize));
        tokens[s] = TensorPrimitives.IndexOfMax(logits.AsSpan(0, config.VocabSize));
    }
    var clock = Stopwatch.StartNew();
    double cpuStart = ThreadCpuClock.Seconds;
    for (int step = 0; step < steps - 1; step++)
    {
        runner.Decode(caches, tokens, logits);
        for (int s = 0; s < batch; s++) tokens[s] = TensorPrimitives.IndexOfMax(logits.AsSpan(s * config.VocabSize, config.VocabSize));
    }
    double generated = batch * (steps - 1);
    return (generated / clock.Elapsed.TotalSeconds, generated / (ThreadCpuClock.Seconds - cpuStart));
}

double? TorchDecode(string shape, int threadCount, int batch)
{
    if (!File.Exists(torchScript) || !File.Exists("/usr/bin/python3"))
    {
        Console.WriteLine($"  (no {torchScript} or /usr/bin/python3: PyTorch skipped)");
        return null;
    }
    var start = new ProcessStartInfo("/usr/bin/python3", [torchScript, shape, "decode", threadCount.ToString(inv), batch.ToString(inv)])
    {
        RedirectStandardOutput = true,
        RedirectStandardError = true,
    };
    start.Environment["OPENBLAS_CORETYPE"] = "SkylakeX";
    start.Environment["OMP_WAIT_POLICY"] = "PASSIVE";
    using var process = Process.Start(start)!;
    string output = process.StandardOutput.ReadToEnd();
    string error = process.StandardError.ReadToEnd();
    process.WaitForExit();
    var match = Regex.Match(output, @"RESULT decode.*?([0-9.]+) tok/s aggregate");
    if (!match.Success)
    {
        Console.WriteLine($"  PyTorch failed (exit {process.ExitCode}): {error.Trim().Split('\n').LastOrDefault()}");
        return null;
    }
    Console.WriteLine("  torch: " + output.Trim().Split('\n').Last());
    return double.Parse(match.Groups[1].Value, inv);
}

static TransformerModel RandomModel(TransformerConfig config)
{
    var model = TransformerModel.Create(config);
    ulong state = 0x9E3779B97F4A7C15;
    foreach (var p in model.Parameters)
    {
        bool norm = p.Shape.Length == 1 && p.Name.Contains("norm", StringComparison.Ordinal);
        var data = p.Data;
        for (int i = 0; i < data.Length; i++)
        {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            data[i] = norm ? 1f : ((state >> 40) / (float)(1 << 24) - 0.5f) * 0.04f;
        }
    }
    return model;
}

static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

string Arg(string name, string fallback)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

// The shared folder sits beside the repository: walk up from the working directory to the solution, then go next door.
static string DefaultTorchScript()
{
    for (DirectoryInfo? dir = new(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "DeepResearcher.slnx")))
        {
            return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "bench", "torch_qwen_bench.py"));
        }
    }

    return Path.GetFullPath(Path.Combine("..", "shared", "bench", "torch_qwen_bench.py"));
}
