using System.Text.Json.Nodes;
using DeepResearcher.Engine.Checkpoints;
using DeepResearcher.Engine.Model;
using DeepResearcher.Engine.Tokenization;
using DeepResearcher.Training.Policy;
using DeepResearcher.World.Building;
using DeepResearcher.World.Generation;

namespace DeepResearcher.Cli.Tests;

/// <summary>`eval run` with a local checkpoint as the policy, and with recorded tools replayed.</summary>
public sealed class EvalRunSourcesTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();

    private string World => Path.Combine(_dir.Path, "world");

    private string Questions => Path.Combine(World, "questions", "dev.jsonl");

    public async ValueTask InitializeAsync()
        => await WorldBuilder.BuildAsync(new WorldBuildOptions { OutDir = World, Seed = 8, Size = WorldSize.Tiny }, null, TestContext.Current.CancellationToken);

    public ValueTask DisposeAsync()
    {
        _dir.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task A_local_checkpoint_is_a_policy()
    {
        string checkpoint = Path.Combine(_dir.Path, "ckpt");
        BpeTokenizer bpe = BpeTrainer.Train(["research the question", "capital of the country"], 320, EngineTokenizer.ChatTokens);
        var model = TransformerModel.Create(new TransformerConfig { VocabSize = bpe.VocabSize, HiddenSize = 32, IntermediateSize = 64, NumLayers = 1, NumHeads = 2, NumKeyValueHeads = 1, TieWordEmbeddings = true, QkvBias = true, MaxPositionEmbeddings = 8192 });
        ModelInitializer.Initialize(model, 1);
        await HuggingFaceCheckpoint.SaveAsync(model, checkpoint, SafetensorsDType.F32, null, TestContext.Current.CancellationToken);
        bpe.Save(Path.Combine(checkpoint, "tokenizer.json"));
        string run = Path.Combine(_dir.Path, "run-ckpt");

        CliRun result = await CliRun.InvokeAsync("eval", "run", "--data", Questions, "--limit", "3", "--checkpoint", checkpoint, "--world", World, "--compact", "--max-tokens", "16", "--max-turns", "2", "--out", run);

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Equal(3, File.ReadAllLines(Path.Combine(run, "results.jsonl")).Length);
        Assert.StartsWith("checkpoint ", JsonNode.Parse(File.ReadAllText(Path.Combine(run, "run.json")))!["model"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_recorded_evaluation_replays_to_the_same_scores_from_the_snapshot()
    {
        string snapshot = Path.Combine(_dir.Path, "snapshot");
        string first = Path.Combine(_dir.Path, "run-recorded");
        string second = Path.Combine(_dir.Path, "run-replayed");

        CliRun recorded = await CliRun.InvokeAsync("eval", "run", "--data", Questions, "--limit", "6", "--expert", World, "--record", snapshot, "--out", first);
        CliRun replayed = await CliRun.InvokeAsync("eval", "run", "--data", Questions, "--limit", "6", "--expert", World, "--replay", snapshot, "--out", second);

        Assert.True(recorded.ExitCode == 0, recorded.Error);
        Assert.True(replayed.ExitCode == 0, replayed.Error);
        static string[] Scores(string run) => [.. File.ReadAllLines(Path.Combine(run, "results.jsonl")).Select(l => JsonNode.Parse(l)!).OrderBy(n => n["id"]!.GetValue<string>(), StringComparer.Ordinal).Select(n => $"{n["id"]} {n["prediction"]} {n["f1"]}")];
        Assert.Equal(Scores(first), Scores(second));
        Assert.StartsWith("replay:", JsonNode.Parse(File.ReadAllText(Path.Combine(second, "run.json")))!["tools"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
