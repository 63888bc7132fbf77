using DeepResearcher.Engine.Checkpoints;
using DeepResearcher.Engine.Model;
using DeepResearcher.Engine.Tokenization;
using DeepResearcher.Training.Policy;

namespace DeepResearcher.Cli.Tests;

public sealed class ModelCommandTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();

    private string Checkpoint => Path.Combine(_dir.Path, "ckpt");

    public async ValueTask InitializeAsync()
    {
        BpeTokenizer bpe = BpeTrainer.Train(["the capital of freedonia is fredville", "hello world, hello research"], 300, ["<|im_start|>", "<|im_end|>"]);
        var model = TransformerModel.Create(new TransformerConfig { VocabSize = bpe.VocabSize, HiddenSize = 32, IntermediateSize = 64, NumLayers = 2, NumHeads = 2, NumKeyValueHeads = 1, TieWordEmbeddings = true, QkvBias = true });
        ModelInitializer.Initialize(model, 2);
        await HuggingFaceCheckpoint.SaveAsync(model, Checkpoint, SafetensorsDType.F32, null, TestContext.Current.CancellationToken);
        bpe.Save(Path.Combine(Checkpoint, "tokenizer.json"));
    }

    public ValueTask DisposeAsync()
    {
        _dir.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Info_describes_the_checkpoint()
    {
        CliRun run = await CliRun.InvokeAsync("model", "info", Checkpoint);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("qwen2", run.Output, StringComparison.Ordinal);
        Assert.Contains("layers           2", run.Output, StringComparison.Ordinal);
        Assert.Contains("byte-level BPE", run.Output, StringComparison.Ordinal);
        Assert.Contains("<|im_end|>=", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Generate_is_deterministic_for_a_seed()
    {
        CliRun first = await CliRun.InvokeAsync("model", "generate", Checkpoint, "--prompt", "the capital", "--max-tokens", "6", "--seed", "3");
        CliRun second = await CliRun.InvokeAsync("model", "generate", Checkpoint, "--prompt", "the capital", "--max-tokens", "6", "--seed", "3");

        Assert.True(first.ExitCode == 0, first.Error);
        Assert.False(string.IsNullOrEmpty(first.Output));
        Assert.Equal(first.Output, second.Output);
    }

    [Fact]
    public async Task Tokenize_shows_ids_and_special_tokens()
    {
        CliRun run = await CliRun.InvokeAsync("model", "tokenize", Checkpoint, "<|im_start|>hello world<|im_end|>");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("<|im_end|>", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_directory_without_a_checkpoint_is_a_clear_error()
    {
        CliRun run = await CliRun.InvokeAsync("model", "info", _dir.Path);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("config.json", run.Error, StringComparison.Ordinal);
    }
}
