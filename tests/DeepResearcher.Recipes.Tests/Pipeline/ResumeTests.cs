using DeepResearcher.Recipes.Configuration;
using DeepResearcher.Recipes.Pipeline;
using DeepResearcher.World.Building;
using DeepResearcher.World.Generation;

namespace DeepResearcher.Recipes.Tests.Pipeline;

/// <summary>
/// A run killed at a checkpoint and resumed ends with the same weights, bit for bit, as a run never interrupted:
/// the same batches, the same sampling, the same optimizer state.
/// </summary>
public sealed class ResumeTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "dr-resume-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private async Task<TrainingConfig> ConfigAsync()
    {
        string world = Path.Combine(_dir, "world");
        if (!Directory.Exists(world))
        {
            await WorldBuilder.BuildAsync(new WorldBuildOptions { OutDir = world, Seed = 5, Size = WorldSizes.Parse("tiny") }, null, TestContext.Current.CancellationToken);
        }

        TrainingConfig config = TrainingPresets.Get("offline-tiny");
        config.World.Dir = world;
        config.World.Port = DeepResearcher.Testing.FreeLoopbackPort.Next();
        config.Model.VocabSize = 400;
        config.Model.HiddenSize = 32;
        config.Model.NumLayers = 1;
        config.Model.NumHeads = 2;
        config.Model.NumKvHeads = 1;
        config.Model.IntermediateSize = 64;
        config.Data.TrainBatchSize = 2;
        config.Data.EvalQuestions = 3;
        config.Data.MaxTurns = 3;
        config.Data.MaxResponseLength = 12;
        config.Rollout.N = 3;
        config.Sft.NumDemos = 8;
        config.Sft.Steps = 4;
        config.Sft.PretrainSteps = 200; // the preset's earlier value: this test's cost and outcome stay put when the preset changes
        config.Sft.LrSchedule = LrSchedule.Constant;
        config.Sft.DemoNoise = DemoNoise.None; // the preset's earlier value, as above
        config.Sft.SaveFreq = 2;
        config.Sft.BatchSize = 2;
        config.Trainer.TotalSteps = 3;
        config.Trainer.SaveFreq = 1;
        config.Trainer.KeepCheckpoints = 2;
        return config;
    }

    private static async Task RunUntilAsync(TrainingConfig config, string outDir, bool resume, string? stopStage = null, int stopStep = 0)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var pipeline = new TrainingPipeline(config, outDir, new Progress<string>(_ => { }))
        {
            Resume = resume,
            CheckpointWritten = (stage, step) =>
            {
                if (stage == stopStage && step == stopStep)
                {
                    stop.Cancel();
                }
            },
        };
        if (stopStage is null)
        {
            await pipeline.RunAsync(stop.Token);
        }
        else
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pipeline.RunAsync(stop.Token));
        }
    }

    [Theory]
    [InlineData("sft", 2)]
    [InlineData("grpo", 1)]
    public async Task Killed_and_resumed_run_ends_with_the_weights_of_an_uninterrupted_run(string stopStage, int stopStep)
    {
        TrainingConfig config = await ConfigAsync();
        string straight = Path.Combine(_dir, "straight");
        string killed = Path.Combine(_dir, "killed");

        await RunUntilAsync(config, straight, resume: false);
        await RunUntilAsync(config, killed, resume: false, stopStage, stopStep);
        Assert.False(File.Exists(Path.Combine(killed, "checkpoint", "model.safetensors")));
        await RunUntilAsync(config, killed, resume: true);

        Assert.Equal(
            await File.ReadAllBytesAsync(Path.Combine(straight, "checkpoint", "model.safetensors"), TestContext.Current.CancellationToken),
            await File.ReadAllBytesAsync(Path.Combine(killed, "checkpoint", "model.safetensors"), TestContext.Current.CancellationToken));
        string[] straightMetrics = File.ReadAllLines(Path.Combine(straight, "run", "metrics.jsonl"));
        string[] resumedMetrics = File.ReadAllLines(Path.Combine(killed, "run", "metrics.jsonl"));
        Assert.Equal(3, resumedMetrics.Length);
        Assert.Equal(straightMetrics.Select(RewardOf), resumedMetrics.Select(RewardOf));
        // Every rollout once, then the after-GRPO evaluation's three trajectories (the report's behaviour is read from them).
        Assert.Equal(3 * 2 * 3 + 3, File.ReadAllLines(Path.Combine(killed, "run", "trajectories.jsonl")).Length);
        Assert.True(Directory.GetDirectories(Path.Combine(killed, "checkpoints")).Length <= 4, "keeps the last 2 checkpoints of each stage");
    }

    [Fact]
    public async Task A_sampled_evaluation_asked_for_on_resume_scores_the_policy_at_the_end_of_SFT()
    {
        TrainingConfig config = await ConfigAsync();
        config.Rollout.ValN = 2;
        string straight = Path.Combine(_dir, "sampled-from-start");
        string later = Path.Combine(_dir, "sampled-on-resume");
        await RunUntilAsync(config, straight, resume: false);
        config.Rollout.ValN = 0;
        await RunUntilAsync(config, later, resume: false, "grpo", 2);

        // The run stopped in GRPO: its model holds GRPO weights, yet the after-SFT evaluation must be of the SFT policy.
        config.Rollout.ValN = 2;
        await RunUntilAsync(config, later, resume: true);

        foreach (string tag in new[] { "after-sft-sampled", "after-grpo-sampled" })
        {
            Assert.Equal(
                await File.ReadAllTextAsync(Path.Combine(straight, "evals", tag + ".json"), TestContext.Current.CancellationToken),
                await File.ReadAllTextAsync(Path.Combine(later, "evals", tag + ".json"), TestContext.Current.CancellationToken));
            Assert.Equal(await PolicyTextsAsync(Path.Combine(straight, "evals", tag)), await PolicyTextsAsync(Path.Combine(later, "evals", tag)));
        }
    }

    /// <summary>What the policy wrote in each trajectory of an evaluation, in order: its tokens depend on every weight.</summary>
    private static async Task<string[]> PolicyTextsAsync(string evaluationDir)
    {
        IReadOnlyDictionary<string, Core.Trajectories.Trajectory> trajectories = await Evaluation.Runs.RunDirectory.Open(evaluationDir).LoadTrajectoriesAsync(TestContext.Current.CancellationToken);
        return [.. trajectories.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => string.Concat(p.Value.Segments.Where(s => s.Kind == Core.Trajectories.SegmentKind.Policy).Select(s => string.Join(",", s.TokenIds ?? []))))];
    }

    [Fact]
    public async Task A_second_run_into_a_directory_with_checkpoints_needs_resume()
    {
        TrainingConfig config = await ConfigAsync();
        string outDir = Path.Combine(_dir, "twice");
        await RunUntilAsync(config, outDir, resume: false, "sft", 2);

        var again = new TrainingPipeline(config, outDir, new Progress<string>(_ => { }));
        ConfigException error = await Assert.ThrowsAsync<ConfigException>(() => again.RunAsync(TestContext.Current.CancellationToken));

        Assert.Contains("--resume", error.Message, StringComparison.Ordinal);
    }

    private static double RewardOf(string metricsLine)
        => System.Text.Json.Nodes.JsonNode.Parse(metricsLine)!["reward_mean"]!.GetValue<double>();
}
