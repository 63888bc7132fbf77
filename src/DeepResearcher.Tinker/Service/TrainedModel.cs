using DeepResearcher.Engine.Model;
using DeepResearcher.Engine.Sampling;
using DeepResearcher.Engine.Tokenization;
using DeepResearcher.Training.Backends;

namespace DeepResearcher.Tinker.Service;

/// <summary>
/// One training run in memory: the base checkpoint with LoRA adapters (or all weights trainable), its optimizer and
/// the engine backend over them. Built the same way by the server and by an in-process comparison, so that the two
/// start from identical weights.
/// </summary>
public sealed class TrainedModel : IAsyncDisposable
{
    /// <summary>The projections Tinker's LoRA adapts (train_attn and train_mlp); the unembedding is not adapted here.</summary>
    public static readonly IReadOnlyList<string> LoraTargets = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"];

    private readonly ContinuousBatchingSampler _sampler;

    private TrainedModel(string baseDirectory, int loraRank, TransformerModel model, ContinuousBatchingSampler sampler, EngineBackend backend)
    {
        BaseDirectory = baseDirectory;
        LoraRank = loraRank;
        Model = model;
        _sampler = sampler;
        Backend = backend;
    }

    public string BaseDirectory { get; }

    /// <summary>0 when all weights train.</summary>
    public int LoraRank { get; }

    public TransformerModel Model { get; }

    public EngineBackend Backend { get; }

    public BpeTokenizer? Tokenizer => _sampler.Tokenizer;

    /// <summary>
    /// Loads <paramref name="baseDirectory"/> (a Hugging Face checkpoint as the engine loads it) and, for a positive
    /// rank, attaches adapters of that rank with <paramref name="alpha"/>, initialised from <paramref name="seed"/>.
    /// </summary>
    public static TrainedModel Create(string baseDirectory, int loraRank, float alpha, long seed, int microBatchTokens)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(loraRank);
        TransformerModel model = Engine.Checkpoints.HuggingFaceCheckpoint.Load(baseDirectory);
        if (loraRank > 0)
        {
            var random = new Random(unchecked((int)seed ^ (int)(seed >> 32)));
            foreach (LoraAdapter adapter in model.AttachLora(loraRank, alpha, [.. LoraTargets]))
            {
                adapter.InitializeDefault(random);
            }
        }

        string tokenizerPath = Path.Combine(baseDirectory, Training.Checkpoints.TrainingCheckpoint.TokenizerFileName);
        BpeTokenizer? tokenizer = File.Exists(tokenizerPath) ? BpeTokenizer.FromTokenizerJson(tokenizerPath) : null;
        var sampler = new ContinuousBatchingSampler(model, tokenizer, new ContinuousBatchingOptions { MaxBatchSize = 8 });
        var optimizer = new Engine.Optim.AdamW(model.TrainableParameters);
        var backend = new EngineBackend(sampler, optimizer, microBatchTokens, new Training.Checkpoints.CheckpointSaveOptions
        {
            BaseModelNameOrPath = loraRank > 0 ? Path.GetFullPath(baseDirectory) : null,
        });
        return new TrainedModel(baseDirectory, loraRank, model, sampler, backend);
    }

    public ValueTask DisposeAsync() => _sampler.DisposeAsync();
}
