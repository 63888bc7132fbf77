using System.Security.Cryptography;
using DeepResearcher.Engine.Checkpoints;
using DeepResearcher.Engine.Model;
using DeepResearcher.Engine.Tokenization;
using DeepResearcher.Recipes.Configuration;
using DeepResearcher.Recipes.Pipeline;
using DeepResearcher.Training.Policy;
using DeepResearcher.World.Generation;

namespace DeepResearcher.Recipes.Tests.Pipeline;

/// <summary>
/// The qwen2.5-0.5b preset's path on a stand-in checkpoint (a tiny Qwen2-architecture model with a ChatML tokenizer,
/// saved as a Hugging Face directory): LoRA-only GRPO in the offline world, the base weights untouched, a PEFT adapter
/// out; and the preflight that refuses a tokenizer that does not belong to the model.
/// </summary>
public sealed class PretrainedLoraTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "dr-lora-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private async Task<string> StandInCheckpointAsync(int extraVocab = 0)
    {
        string dir = Path.Combine(_dir, "base");
        string[] corpus = [.. Enumerable.Range(0, 50).Select(i => $"The research agent searched the web for question {i} and answered it. <think>search</think> <tool_call>{{\"name\": \"web_search\"}}</tool_call>")];
        BpeTokenizer tokenizer = BpeTrainer.Train(corpus, 300, EngineTokenizer.ChatTokens);
        TransformerModel model = TransformerModel.Create(new TransformerConfig
        {
            VocabSize = tokenizer.VocabSize + extraVocab,
            HiddenSize = 32,
            IntermediateSize = 64,
            NumLayers = 1,
            NumHeads = 2,
            NumKeyValueHeads = 1,
            TieWordEmbeddings = true,
            QkvBias = true,
            MaxPositionEmbeddings = 32768,
        });
        ModelInitializer.Initialize(model, 3);
        await HuggingFaceCheckpoint.SaveAsync(model, dir, SafetensorsDType.F32, null, TestContext.Current.CancellationToken);
        await tokenizer.SaveAsync(Path.Combine(dir, "tokenizer.json"), TestContext.Current.CancellationToken);
        return dir;
    }

    private TrainingConfig Config(string modelDir)
    {
        TrainingConfig config = TrainingPresets.Get("qwen2.5-0.5b");
        config.Model.Path = modelDir;
        config.Model.LoraRank = 4;
        config.Model.LoraAlpha = 8;
        config.World.Size = WorldSize.Tiny;
        config.World.Port = DeepResearcher.Testing.FreeLoopbackPort.Next();
        config.Data.TrainBatchSize = 2;
        config.Data.EvalQuestions = 2;
        config.Data.MaxTurns = 2;
        config.Data.MaxResponseLength = 8;
        config.Rollout.N = 2;
        config.Trainer.TotalSteps = 2;
        config.Trainer.SaveFreq = 1;
        return config;
    }

    [Fact]
    public async Task Lora_grpo_on_a_checkpoint_trains_only_the_adapter_and_writes_a_peft_adapter()
    {
        string modelDir = await StandInCheckpointAsync();
        byte[] baseBefore = SHA256.HashData(await File.ReadAllBytesAsync(Path.Combine(modelDir, "model.safetensors"), TestContext.Current.CancellationToken));
        var log = new List<string>();

        TrainingResult result = await new TrainingPipeline(Config(modelDir), Path.Combine(_dir, "out"), new Progress<string>(log.Add)).RunAsync(TestContext.Current.CancellationToken);

        Assert.True(File.Exists(Path.Combine(result.CheckpointDirectory, "adapter_config.json")));
        Assert.True(File.Exists(Path.Combine(result.CheckpointDirectory, "adapter_model.safetensors")));
        Assert.False(File.Exists(Path.Combine(result.CheckpointDirectory, "model.safetensors")), "a LoRA run exports the adapter, not a copy of the base");
        Assert.Equal(baseBefore, SHA256.HashData(await File.ReadAllBytesAsync(Path.Combine(modelDir, "model.safetensors"), TestContext.Current.CancellationToken)));
        Assert.Equal(2, File.ReadAllLines(Path.Combine(result.RunDirectory, "metrics.jsonl")).Length);
        Assert.All(Directory.GetDirectories(Path.Combine(_dir, "out", "checkpoints")), d => Assert.True(File.Exists(Path.Combine(d, "adapter_model.safetensors")), d));

        // The adapter loads back onto the base: the trained adapter is not all zeros (B starts at zero, GRPO moved it or not,
        // but A is PEFT's random start, so a real adapter file has non-zero A).
        TransformerModel reloaded = HuggingFaceCheckpoint.Load(modelDir);
        IReadOnlyList<LoraAdapter> adapters = LoraCheckpoint.Load(reloaded, result.CheckpointDirectory);
        Assert.Equal(7, adapters.Count);
        Assert.Contains(adapters, a => a.A.Data.Any(x => x != 0));
        Assert.Contains(log, l => l.Contains("LoRA rank 4", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_tokenizer_larger_than_the_models_vocabulary_fails_before_any_work()
    {
        // A model whose embedding has ten rows fewer than the tokenizer saved with it has tokens.
        string modelDir = await StandInCheckpointAsync(extraVocab: -10);
        string outDir = Path.Combine(_dir, "mismatch");

        ConfigException error = await Assert.ThrowsAsync<ConfigException>(() => new TrainingPipeline(Config(modelDir), outDir, new Progress<string>(_ => { })).RunAsync(TestContext.Current.CancellationToken));

        Assert.Contains("does not belong", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(outDir, "world")), "no world was built");
    }

    [Fact]
    public async Task A_model_directory_without_weights_is_named_in_the_error()
    {
        string modelDir = await StandInCheckpointAsync();
        File.Delete(Path.Combine(modelDir, "model.safetensors"));

        ConfigException error = await Assert.ThrowsAsync<ConfigException>(() => TrainingPreflight.CheckAsync(Config(modelDir), TestContext.Current.CancellationToken));

        Assert.Contains("model.safetensors", error.Message, StringComparison.Ordinal);
    }
}
