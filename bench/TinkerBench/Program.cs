using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using DeepResearcher.Recipes.Configuration;
using DeepResearcher.Recipes.Pipeline;
using DeepResearcher.Server.Training;
using DeepResearcher.Tinker.Service;

// TinkerBench: the overhead of training through the Tinker API. The offline-tiny preset's GRPO steps (its model
// shape, 8 questions × 16 rollouts, its tools) run in process and through `serve training` on loopback, alternating,
// from the same short warm start; per step it reports the wall time of the rollouts and of the update, from
// metrics.jsonl, and the ratio tinker ÷ in process. The first GRPO step of each run and the first repetition of each
// side are left out (JIT warm-up: the first in-process run had measured up to 2× slower than the next). The GRPO steps
// run at a learning rate of 1e-30 unless --learn: identical work on both sides (see Config).
int grpoSteps = Arg("--grpo-steps", 5);
int repetitions = Arg("--repetitions", 2);
int warmSteps = Arg("--warm-steps", 200);
int warmupRepetitions = Arg("--warmup-repetitions", 1);
bool learn = args.Contains("--learn");
string root = Path.Combine(Path.GetTempPath(), $"tinker-bench-{Guid.NewGuid():N}");
Directory.CreateDirectory(root);
Console.WriteLine($"TinkerBench: offline-tiny shape, {grpoSteps} GRPO steps ({grpoSteps - 1} measured) per run, {repetitions} alternating repetitions, warm start {warmSteps} steps, {(learn ? "learning" : "GRPO at lr 1e-30: the same work on both sides")}; {Environment.ProcessorCount} CPUs; {await DeepResearcher.Core.Machine.CpuModel.DescribeAsync(CancellationToken.None)}");

TrainingConfig Config()
{
    TrainingConfig config = TrainingPresets.Get("offline-tiny");
    config.World.Dir = Path.Combine(root, "world");
    config.Sft.PretrainSteps = warmSteps / 2;
    config.Sft.Steps = warmSteps - (warmSteps / 2);
    config.Sft.NumDemos = 512;
    config.Data.EvalQuestions = 8;
    config.Trainer.TotalSteps = grpoSteps;
    config.Trainer.SaveFreq = 0;
    config.Actor.DropZeroVarianceGroups = false;
    if (!learn)
    {
        // The two backends round GRPO's gradient differently, and AdamW turns last-bit differences into different
        // weights, so from the second step on the sides would sample different trajectories (5-10 % more or fewer
        // tokens) and the ratio would measure the workload, not the transport. A learning rate far below any weight's
        // last bit keeps every step's work identical on both sides while every request is still made.
        config.Actor.Lr = 1e-30;
    }
    return config;
}

var quiet = new Progress<string>(_ => { });
TrainingConfig local = Config();
if (!Directory.Exists(local.World.Dir))
{
    await DeepResearcher.World.Building.WorldBuilder.BuildAsync(new DeepResearcher.World.Building.WorldBuildOptions { OutDir = local.World.Dir, Seed = local.World.Seed, Size = local.World.Size }, null, CancellationToken.None);
}

string initial = await new TrainingPipeline(local, Path.Combine(root, "init"), quiet).WriteInitialModelAsync(CancellationToken.None);
TinkerService service = await TinkerService.StartAsync(new TinkerServiceOptions
{
    StateDirectory = Path.Combine(root, "state"),
    BaseModels = [new BaseModelSource("offline-tiny", initial)],
    MicroBatchTokens = local.Actor.MicroBatchTokens,
    SamplerCacheTokens = 1 << 20, // the in-process trainer's budget: both sides keep every trajectory's cache
}, null, CancellationToken.None);
TrainingServer server = await TrainingServer.StartAsync(service, new TrainingServerOptions(), null, CancellationToken.None);

var rows = new List<(string Side, double Rollout, double Update, double Total)>();
for (int r = 0; r < warmupRepetitions + repetitions; r++)
{
    bool warmup = r < warmupRepetitions;
    foreach (string side in new[] { "in-process", "tinker" })
    {
        TrainingConfig config = Config();
        if (side == "tinker")
        {
            config.Trainer.Backend = PolicyBackendKind.Tinker;
            config.Tinker.BaseUrl = server.BaseUrl.ToString();
            config.Tinker.BaseModel = "offline-tiny";
            config.Tinker.LoraRank = 0;
            config.Tinker.Tokenizer = Path.Combine(initial, "tokenizer.json");
        }

        string outDir = Path.Combine(root, $"{side}-{r}");
        var clock = Stopwatch.StartNew();
        await new TrainingPipeline(config, outDir, quiet).RunAsync(CancellationToken.None);
        JsonNode[] steps = [.. File.ReadAllLines(Path.Combine(outDir, "run", "metrics.jsonl")).Where(l => l.Length > 0).Select(l => JsonNode.Parse(l)!).Skip(1)];
        double rollout = steps.Average(s => s["time_rollout_s"]!.GetValue<double>());
        double update = steps.Average(s => s["time_update_s"]!.GetValue<double>());
        double tokens = steps.Average(s => s["response_tokens"]!.GetValue<double>());
        double turns = steps.Average(s => s["turns"]!.GetValue<double>());
        string trace = string.Join(' ', steps.Select(s => FormattableString.Invariant($"{s["reward_mean"]!.GetValue<double>():F4}/{s["response_tokens"]!.GetValue<double>():F1}")));
        if (!warmup)
        {
            rows.Add((side, rollout, update, rollout + update));
        }

        Console.WriteLine(FormattableString.Invariant($"{side,-10} {(warmup ? "warm-up" : "run")} {r + 1}: per GRPO step rollout {rollout:F2} s + update {update:F2} s = {rollout + update:F2} s (whole run {clock.Elapsed.TotalSeconds:F0} s; load average {File.ReadAllText("/proc/loadavg").Trim()}); response tokens {tokens:F1}, turns {turns:F2} per trajectory; reward/tokens by step {trace}"));
    }
}

double Median(IEnumerable<double> values)
{
    double[] sorted = [.. values.Order()];
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
}

double local1 = Median(rows.Where(x => x.Side == "in-process").Select(x => x.Total));
double tinker1 = Median(rows.Where(x => x.Side == "tinker").Select(x => x.Total));
Console.WriteLine(FormattableString.Invariant($"RESULT per GRPO step (median of {repetitions}): in-process {local1:F2} s, tinker {tinker1:F2} s; tinker ÷ in-process {tinker1 / local1:F3} (rollout {Median(rows.Where(x => x.Side == "tinker").Select(x => x.Rollout)) / Median(rows.Where(x => x.Side == "in-process").Select(x => x.Rollout)):F3}, update {Median(rows.Where(x => x.Side == "tinker").Select(x => x.Update)) / Median(rows.Where(x => x.Side == "in-process").Select(x => x.Update)):F3})"));
Console.WriteLine(FormattableString.Invariant($"RESULT per GRPO step (min of {repetitions}): in-process {rows.Where(x => x.Side == "in-process").Min(x => x.Total):F2} s, tinker {rows.Where(x => x.Side == "tinker").Min(x => x.Total):F2} s; tinker ÷ in-process {rows.Where(x => x.Side == "tinker").Min(x => x.Total) / rows.Where(x => x.Side == "in-process").Min(x => x.Total):F3}"));
await server.DisposeAsync();
await service.DisposeAsync();
Directory.Delete(root, recursive: true);

int Arg(string name, int fallback)
{
    int at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
}
