using System.Text.Json.Nodes;
using DeepResearcher.Recipes.Configuration;
using DeepResearcher.Recipes.Pipeline;
using DeepResearcher.World.Generation;

namespace DeepResearcher.Recipes.Tests.Pipeline;

/// <summary>
/// The whole machine learns, fast: a tiny world, a tiny model, a short SFT warm start, then GRPO through the real
/// loopback tools. On a fixed seed the rollout reward at the end is higher than at the start.
/// </summary>
public sealed class LearningTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "dr-learning-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public async Task Grpo_raises_the_rollout_reward_of_a_warm_started_tiny_policy()
    {
        TrainingConfig config = TrainingPresets.Get("offline-tiny");
        config.World.Size = WorldSize.Tiny;
        // The world's port stays the one derived from the seed (the URLs are tokens the policy reads): a fixed seed means fixed URLs.
        config.Model.VocabSize = 512;
        config.Model.HiddenSize = 64;
        config.Model.NumLayers = 2;
        config.Model.NumHeads = 4;
        config.Model.NumKvHeads = 2;
        config.Model.IntermediateSize = 176;
        config.Data.TrainBatchSize = 4;
        config.Data.EvalQuestions = 8;
        config.Data.MaxTurns = 6;
        config.Data.MaxResponseLength = 192;
        config.Rollout.N = 8;
        config.Sft.NumDemos = 128;
        config.Sft.DemoNoise = DemoNoise.None;
        config.Sft.Steps = 200;
        config.Sft.PretrainSteps = 200; // the preset's earlier value: this test's cost and outcome stay put when the preset changes
        config.Sft.LrSchedule = LrSchedule.Constant;
        config.Rollout.Temperature = 1.0f;
        config.Model.TokenizerSplit = TokenizerSplit.Qwen2;
        config.Sft.BatchSize = 8;
        config.Sft.Lr = 3e-3;
        config.Actor.Lr = 5e-4;
        config.Actor.DropZeroVarianceGroups = true;
        config.Trainer.TotalSteps = 30;
        config.Trainer.SaveFreq = 0;

        TrainingResult result = await new TrainingPipeline(config, _dir, new Progress<string>(_ => { })).RunAsync(TestContext.Current.CancellationToken);

        double[] rewards = [.. File.ReadAllLines(Path.Combine(result.RunDirectory, "metrics.jsonl"))
            .Select(l => JsonNode.Parse(l)!["reward_mean"]!.GetValue<double>())];
        double start = rewards[..5].Average(), end = rewards[^5..].Average();
        Assert.True(end > start + 0.1, $"rollout reward did not rise: first steps {start:F3}, last steps {end:F3} ({string.Join(", ", rewards.Select(r => r.ToString("F3", System.Globalization.CultureInfo.InvariantCulture)))})");

        // The report shows what the after-GRPO evaluation did: its behaviour over every question and each one's tool calls.
        Assert.True(result.AfterGrpo.ToolCalls > 0, $"the trained policy called no tools: {result.AfterGrpo}");
        var report = RenderedReport.Read(result.RunDirectory);
        (int count, double searches, double browses) = report.BehaviourOverall();
        Assert.Equal(8, count);
        Assert.Equal(result.AfterGrpo.ToolCalls, searches + browses, tolerance: 0.011);
        IReadOnlyList<(int Searches, int Browses)> rows = report.ViewerToolCounts();
        Assert.Equal(8, rows.Count);
        Assert.Equal(result.AfterGrpo.ToolCalls * 8, rows.Sum(r => r.Searches + r.Browses), tolerance: 1e-6);
    }
}
