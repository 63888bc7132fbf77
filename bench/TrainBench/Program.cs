using System.Diagnostics;
using System.Globalization;
using DeepResearcher.Engine.Diagnostics;
using DeepResearcher.Engine.Model;
using DeepResearcher.Engine.Optim;
using DeepResearcher.Engine.Threading;
using DeepResearcher.Training.Policy;

// Training step throughput (forward + backward, AdamW) of the engine, side by side with PyTorch's reference
// benchmark on the same shapes: ../shared/bench/torch_qwen_bench.py SHAPE train THREADS BATCH.
// Usage: dotnet run -c Release --project bench/TrainBench -- {tiny|q05b} [BATCH] [STEPS] [--no-torch] [--profile] [--warmup N] [--block-rows N] [--threads N]
// --threads 1 also reports the process CPU time per step, which other jobs' load on the machine does not inflate.
// The first N steps (default 5 for tiny, 1 for q05b) run tier-0 JIT code and are left out of the medians and the profile.
string[] valued = ["--warmup", "--block-rows", "--threads"];
string[] positional = [.. args.Where((a, i) => !a.StartsWith("--", StringComparison.Ordinal) && (i == 0 || !valued.Contains(args[i - 1])))];
string shape = positional.Length > 0 ? positional[0] : "tiny";
int batch = positional.Length > 1 ? int.Parse(positional[1], CultureInfo.InvariantCulture) : 1;
int steps = positional.Length > 2 ? int.Parse(positional[2], CultureInfo.InvariantCulture) : (shape == "tiny" ? 30 : 4);
bool torch = !args.Contains("--no-torch");
bool profile = args.Contains("--profile");
int warmupIndex = Array.IndexOf(args, "--warmup");
int warmup = warmupIndex >= 0 ? int.Parse(args[warmupIndex + 1], CultureInfo.InvariantCulture) : (shape == "tiny" ? 5 : 1);
warmup = Math.Min(warmup, steps - 1);
const int T = 512;

TransformerConfig config = shape switch
{
    "tiny" => new TransformerConfig { VocabSize = 4096, HiddenSize = 256, NumLayers = 4, NumHeads = 4, NumKeyValueHeads = 2, IntermediateSize = 704, TieWordEmbeddings = true, QkvBias = true, RopeTheta = 1e6, MaxPositionEmbeddings = 2048 },
    "q05b" => new TransformerConfig { VocabSize = 151936, HiddenSize = 896, NumLayers = 24, NumHeads = 14, NumKeyValueHeads = 2, IntermediateSize = 4864, TieWordEmbeddings = true, QkvBias = true, RopeTheta = 1e6, MaxPositionEmbeddings = 2048 },
    _ => throw new ArgumentException($"unknown shape '{shape}' (tiny or q05b)"),
};

var model = TransformerModel.Create(config);
int threadsIndex = Array.IndexOf(args, "--threads");
if (threadsIndex >= 0) ComputePool.Shared.Parallelism = int.Parse(args[threadsIndex + 1], CultureInfo.InvariantCulture);
int blockRowsIndex = Array.IndexOf(args, "--block-rows");
if (blockRowsIndex >= 0) model.AttentionBlockRows = int.Parse(args[blockRowsIndex + 1], CultureInfo.InvariantCulture);
ModelInitializer.Initialize(model, 1);
var optimizer = new AdamW(model.TrainableParameters, new AdamWOptions { WeightDecay = 0.01f });
var random = new Random(1);
int[] tokens = [.. Enumerable.Range(0, batch * T).Select(_ => random.Next(config.VocabSize))];
int[] lengths = [.. Enumerable.Repeat(T, batch)];
var tokenBatch = new TokenBatch(tokens, lengths);
int[] targets = [.. tokens.Skip(1), 0];
var logProbs = new float[tokens.Length];
var grad = new float[tokens.Length];
var mask = Enumerable.Repeat((byte)1, tokens.Length).ToArray();
var fwd = new List<double>();
var bwd = new List<double>();
var opt = new List<double>();
var cpu = new List<double>();
for (int step = 0; step < steps; step++)
{
    if (step == warmup)
    {
        KernelTimings.Reset();
        KernelTimings.Enabled = profile;
    }
    optimizer.ZeroGrad();
    var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
    long t0 = Stopwatch.GetTimestamp();
    model.ForwardLogProbs(tokenBatch, targets, logProbs);
    double loss = TokenLoss.MaskedMeanNegativeLogLikelihood(logProbs, mask, grad);
    long t1 = Stopwatch.GetTimestamp();
    model.Backward(grad);
    long t2 = Stopwatch.GetTimestamp();
    var cpu1 = Process.GetCurrentProcess().TotalProcessorTime;
    optimizer.Step(1e-4f);
    long t3 = Stopwatch.GetTimestamp();
    if (step < warmup)
    {
        Console.WriteLine($"  step {step} (warm-up): fwd {Stopwatch.GetElapsedTime(t0, t1).TotalSeconds:F3}s bwd {Stopwatch.GetElapsedTime(t1, t2).TotalSeconds:F3}s adamw {Stopwatch.GetElapsedTime(t2, t3).TotalSeconds:F3}s loss {loss:F3}");
        continue;
    }
    fwd.Add(Stopwatch.GetElapsedTime(t0, t1).TotalSeconds);
    bwd.Add(Stopwatch.GetElapsedTime(t1, t2).TotalSeconds);
    opt.Add(Stopwatch.GetElapsedTime(t2, t3).TotalSeconds);
    cpu.Add((cpu1 - cpu0).TotalSeconds);
    Console.WriteLine($"  step {step}: fwd {fwd[^1]:F3}s bwd {bwd[^1]:F3}s adamw {opt[^1]:F3}s loss {loss:F3}");
}

static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
double fb = Median(fwd) + Median(bwd);
double ours = batch * T / fb;
Console.WriteLine($"RESULT ours  train {shape} B={batch} T={T} (median of {fwd.Count} steps after {warmup} warm-up): fwd {Median(fwd) * 1e3:F0} ms, bwd {Median(bwd) * 1e3:F0} ms -> {ours:F0} tok/s (fwd+bwd), adamw {Median(opt) * 1e3:F0} ms, peak RSS {Process.GetCurrentProcess().PeakWorkingSet64 / (1 << 20)} MB");

if (ComputePool.Shared.Parallelism == 1)
    Console.WriteLine($"one thread: fwd+bwd CPU time {Median(cpu) * 1e3:F1} ms per step (median) -> {batch * T / Median(cpu):F0} tok/CPU-s");

if (profile)
{
    KernelTimings.Enabled = false;
    Console.WriteLine($"per-kernel time (wall clock on the calling thread, {fwd.Count} steps; optimizer and loss not included):");
    Console.Write(KernelTimings.FormatTable(fwd.Count));
}

if (torch)
{
    // Run from the repository root: the shared folder sits beside it.
    string script = Path.GetFullPath("../shared/bench/torch_qwen_bench.py");

    var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, UseShellExecute = false };
    foreach (string a in new[] { script, shape, "train", "2", batch.ToString(CultureInfo.InvariantCulture) })
    {
        start.ArgumentList.Add(a);
    }

    start.Environment["OPENBLAS_CORETYPE"] = "SkylakeX";
    start.Environment["OMP_WAIT_POLICY"] = "PASSIVE";
    start.Environment["STEPS"] = steps.ToString(CultureInfo.InvariantCulture);
    using Process python = Process.Start(start)!;
    string output = await python.StandardOutput.ReadToEndAsync();
    await python.WaitForExitAsync();
    string? result = output.Split('\n').FirstOrDefault(l => l.StartsWith("RESULT", StringComparison.Ordinal));
    Console.WriteLine("RESULT torch " + (result ?? "(failed: " + output + ")"));
    if (result is not null)
    {
        double torchTokens = double.Parse(result.Split("-> ")[1].Split(' ')[0], CultureInfo.InvariantCulture);
        Console.WriteLine($"ratio (ours / PyTorch, fwd+bwd tok/s): {ours / torchTokens:F2}");
    }
}
