using System.Globalization;
using System.Text.Json.Nodes;
using DeepResearcher.Engine.Checkpoints;
using DeepResearcher.Engine.Model;
using DeepResearcher.Engine.Tokenization;
using DeepResearcher.Recipes.Configuration;
using DeepResearcher.Recipes.Pipeline;
using DeepResearcher.Training.Evaluations;
using DeepResearcher.Training.Grpo;
using DeepResearcher.Training.Pipeline;
using DeepResearcher.World.Generation;

namespace DeepResearcher.Recipes.Tests.Pipeline;

/// <summary>The offline main job at the smallest size: every stage runs and leaves its files behind.</summary>
public sealed class TrainingPipelineTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "dr-pipeline-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public async Task Runs_world_tokenizer_sft_grpo_and_evaluation_and_writes_a_loadable_checkpoint()
    {
        TrainingConfig config = TrainingPresets.Get("offline-tiny");
        config.World.Size = WorldSize.Tiny;
        config.World.Port = DeepResearcher.Testing.FreeLoopbackPort.Next();
        config.Model.VocabSize = 500;
        config.Model.HiddenSize = 32;
        config.Model.NumLayers = 1;
        config.Model.NumHeads = 2;
        config.Model.NumKvHeads = 1;
        config.Model.IntermediateSize = 64;
        config.Data.TrainBatchSize = 2;
        config.Data.EvalQuestions = 4;
        config.Data.MaxTurns = 3;
        config.Data.MaxResponseLength = 16;
        config.Rollout.N = 2;
        config.Sft.Steps = 2;
        config.Sft.PretrainSteps = 200; // the preset's earlier value: this test's cost and outcome stay put when the preset changes
        config.Sft.NumDemos = 1024;
        config.Sft.LrSchedule = LrSchedule.Constant;
        config.Sft.DemoNoise = DemoNoise.None; // the preset's earlier value, as above
        config.Sft.BatchSize = 2;
        config.Trainer.TotalSteps = 2;
        config.Rollout.ValN = 2;
        var log = new List<string>();

        TrainingResult result = await new TrainingPipeline(config, _dir, new Progress<string>(log.Add)).RunAsync(TestContext.Current.CancellationToken);

        Assert.Equal(4, result.Initial.Questions);
        // The time is printed with the CPU it was measured on: it differs twofold between CPUs that agree on every figure.
        string cpu = await DeepResearcher.Core.Machine.CpuModel.DescribeAsync(TestContext.Current.CancellationToken);
        Assert.Equal(cpu, result.Cpu);
        Assert.Contains(log, l => l.StartsWith("done in ", StringComparison.Ordinal) && l.Contains(" on " + cpu + ";", StringComparison.Ordinal));
        Assert.True(result.Elapsed > TimeSpan.Zero && result.ElapsedAllSessions >= result.Elapsed);
        string[] metrics = File.ReadAllLines(Path.Combine(result.RunDirectory, "metrics.jsonl"));
        Assert.Equal(2, metrics.Length);
        JsonObject first = JsonNode.Parse(metrics[0])!.AsObject();
        foreach (string key in new[] { "reward_mean", "reward_std", "f1", "format_error_rate", "answer_rate", "searches", "browses", "kl", "clip_fraction", "grad_norm", "lr", "protocol_error_rate", "no_answer_rate", "format_penalty_rate" })
        {
            Assert.True(first.ContainsKey(key), $"metrics.jsonl lacks {key}");
        }

        // The typed line reads back what was written, and its rates partition the rollouts.
        GrpoStepMetrics typed = GrpoStepMetrics.FromJsonLine(metrics[0]);
        Assert.Equal(metrics[0], typed.ToJsonLine());
        Assert.True(typed.AnswerRate + typed.ProtocolErrorRate + typed.NoAnswerRate is > 0.999999 and < 1.000001);

        // Every GRPO rollout, then the after-GRPO evaluation's trajectories, which its results.jsonl lines point at.
        Assert.Equal(2 * 2 * 2 + 4, File.ReadAllLines(Path.Combine(result.RunDirectory, "trajectories.jsonl")).Length);
        Assert.Equal(2 * 2, File.ReadAllLines(Path.Combine(result.RunDirectory, "groups.jsonl")).Length);
        TransformerModel saved = HuggingFaceCheckpoint.Load(result.CheckpointDirectory);
        BpeTokenizer tokenizer = BpeTokenizer.FromTokenizerJson(Path.Combine(result.CheckpointDirectory, "tokenizer.json"));
        Assert.Equal(tokenizer.VocabSize, saved.Config.VocabSize);
        Assert.NotNull(tokenizer.TokenToId("<|im_end|>"));
        Assert.Equal(4, File.ReadAllLines(Path.Combine(result.RunDirectory, "results.jsonl")).Length);
        Assert.True(File.Exists(Path.Combine(result.RunDirectory, "report.html")));

        // rollout.val_n: a second evaluation of each stage, two samples per question at the rollout temperature, each
        // trajectory under an id of its own (the toolbox keeps reading positions by id).
        foreach (PolicyEvaluation? sampled in new[] { result.SampledAfterSft, result.SampledAfterGrpo })
        {
            Assert.NotNull(sampled);
            Assert.Equal((4, 2, 0.6), (sampled.Questions, sampled.Samples, Math.Round(sampled.Temperature, 3)));
        }

        string[] sampledResults = File.ReadAllLines(Path.Combine(_dir, "evals", "after-grpo-sampled", "results.jsonl"));
        Assert.Equal(4 * 2, sampledResults.Length);
        string[] ids = [.. sampledResults.Select(l => JsonNode.Parse(l)!["trajectory_id"]!.GetValue<string>())];
        Assert.Equal(ids.Length, ids.Distinct().Count());
        Assert.All(ids, id => Assert.StartsWith("eval-after-grpo-sampled-", id, StringComparison.Ordinal));
        Assert.Equal(0, result.AfterGrpo.Samples);

        // The report reads the evaluation's trajectories: behaviour over all four questions, not an empty table.
        var report = RenderedReport.Read(result.RunDirectory);
        Assert.Equal(4, report.BehaviourOverall().Count);
        Assert.Equal(4, report.ViewerToolCounts().Count);

        // The stages side by side, each with the figures the run printed, and the warm start's loss curve step by step.
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> stages = report.StageRows();
        Assert.Equal(["initial", "after-sft", "after-sft-sampled", "after-grpo", "after-grpo-sampled"], stages.Keys);
        foreach ((string stage, PolicyEvaluation evaluation) in new[] { ("initial", result.Initial), ("after-sft", result.AfterSft), ("after-grpo", result.AfterGrpo) })
        {
            Assert.Equal((evaluation.SetF1 * 100).ToString("0.0", CultureInfo.InvariantCulture), stages[stage]["set_f1"]);
            Assert.Equal((evaluation.ProtocolErrorRate * 100).ToString("0.0", CultureInfo.InvariantCulture), stages[stage]["protocol_error_rate"]);
            Assert.Equal(evaluation.ToolCalls.ToString("0.00", CultureInfo.InvariantCulture), stages[stage]["tool_calls"]);
        }

        string[] warmStart = File.ReadAllLines(Path.Combine(result.RunDirectory, "warm-start.jsonl"));
        Assert.Equal(202, warmStart.Length);
        JsonObject lastWarm = JsonNode.Parse(warmStart[^1])!.AsObject();
        Assert.Equal((202, "sft"), (lastWarm["step"]!.GetValue<int>(), lastWarm["stage"]!.GetValue<string>()));
        Assert.True(lastWarm["loss"]!.GetValue<double>() > 0);
        Assert.Equal(200, report.SeriesPoints("pretrain loss"));
        Assert.Equal(2, report.SeriesPoints("SFT loss"));
        string markdown = File.ReadAllText(Path.Combine(result.RunDirectory, "report.md"));
        Assert.Contains("| before training | 4 |", markdown, StringComparison.Ordinal);
        Assert.Contains("| after GRPO | 4 |", markdown, StringComparison.Ordinal);
    }
}
