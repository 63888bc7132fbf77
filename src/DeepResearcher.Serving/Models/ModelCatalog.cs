using DeepResearcher.Core.Protocol.Rendering;
using DeepResearcher.Engine.Checkpoints;
using DeepResearcher.Engine.Model;
using DeepResearcher.Engine.Sampling;
using DeepResearcher.Engine.Tokenization;

namespace DeepResearcher.Serving.Models;

/// <summary>The served models by name: a checkpoint and each LoRA adapter over it, each with its own weights and sampler.</summary>
public sealed class ModelCatalog : IAsyncDisposable
{
    private readonly Dictionary<string, ServedModel> _models = new(StringComparer.Ordinal);
    private readonly List<ServedModel> _ordered = [];

    public ModelCatalog(IEnumerable<ServedModel> models)
    {
        ArgumentNullException.ThrowIfNull(models);
        foreach (ServedModel model in models)
        {
            if (!_models.TryAdd(model.Name, model))
            {
                throw new ArgumentException($"two served models are named '{model.Name}'; give the adapter another name with --adapter NAME=DIR", nameof(models));
            }
            _ordered.Add(model);
        }

        if (_ordered.Count == 0)
        {
            throw new ArgumentException("no model to serve", nameof(models));
        }
    }

    public IReadOnlyList<ServedModel> Models => _ordered;

    /// <summary>The model a request names.</summary>
    /// <exception cref="ServingException">404 naming the served models.</exception>
    public ServedModel Get(string name) =>
        _models.TryGetValue(name, out ServedModel? model) ? model : throw ServingException.ModelNotFound(name, _models.Keys);

    /// <summary>
    /// Loads a checkpoint directory as <c>train</c> exports it (config.json, safetensors, tokenizer.json, optionally
    /// agent_settings.json) and every adapter over a copy of its weights.
    /// </summary>
    /// <param name="name">The base model's name; null names it after the directory as given, as vLLM does.</param>
    /// <exception cref="InvalidDataException">A directory is missing a file or does not fit the base; the message says which.</exception>
    public static async Task<ModelCatalog> LoadAsync(string checkpointDirectory, IReadOnlyList<AdapterSource> adapters, ServingOptions options, string? name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(checkpointDirectory);
        ArgumentNullException.ThrowIfNull(adapters);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (!Directory.Exists(checkpointDirectory))
        {
            throw new InvalidDataException($"checkpoint directory {checkpointDirectory} does not exist; pass the directory train exported (e.g. runs/offline-tiny/checkpoint)");
        }
        BpeTokenizer tokenizer;
        try
        {
            tokenizer = await CheckpointSummary.LoadTokenizerAsync(checkpointDirectory, cancellationToken).ConfigureAwait(false);
        }
        catch (FileNotFoundException e)
        {
            throw new InvalidDataException($"{e.Message}; the server needs the checkpoint's own tokenizer", e);
        }

        IPromptRenderer template = await ChatTemplates.ForCheckpointAsync(checkpointDirectory, tokenizer, cancellationToken).ConfigureAwait(false);
        string baseName = name ?? checkpointDirectory.TrimEnd('/', '\\');
        var models = new List<ServedModel>();
        try
        {
            TransformerModel weights = await Task.Run(() => LoadBase(checkpointDirectory), cancellationToken).ConfigureAwait(false);
            models.Add(new ServedModel(baseName, weights, tokenizer, template, options, checkpointDirectory));
            foreach (AdapterSource adapter in adapters)
            {
                TransformerModel adapted = await Task.Run(() => LoadAdapted(checkpointDirectory, adapter), cancellationToken).ConfigureAwait(false);
                models.Add(new ServedModel(adapter.Name, adapted, tokenizer, template, options, adapter.Directory, baseName));
            }

            return new ModelCatalog(models);
        }
        catch
        {
            foreach (ServedModel model in models)
            {
                await model.DisposeAsync().ConfigureAwait(false);
            }
            throw;
        }
    }

    private static TransformerModel LoadBase(string directory)
    {
        try
        {
            return HuggingFaceCheckpoint.Load(directory);
        }
        catch (Exception e) when (e is CheckpointFormatException or FileNotFoundException or KeyNotFoundException or ArgumentException)
        {
            throw new InvalidDataException($"{directory} is not a loadable checkpoint: {e.Message}", e);
        }
    }

    private static TransformerModel LoadAdapted(string baseDirectory, AdapterSource adapter)
    {
        if (!File.Exists(Path.Combine(adapter.Directory, LoraCheckpoint.ConfigFileName)))
        {
            throw new InvalidDataException($"adapter {adapter.Name}: {adapter.Directory} has no {LoraCheckpoint.ConfigFileName}; pass a PEFT LoRA directory");
        }
        TransformerModel model = LoadBase(baseDirectory);
        try
        {
            LoraCheckpoint.Load(model, adapter.Directory);
        }
        catch (Exception e) when (e is CheckpointFormatException or FileNotFoundException or KeyNotFoundException or ArgumentException or InvalidOperationException)
        {
            throw new InvalidDataException($"adapter {adapter.Name} ({adapter.Directory}) does not fit the base checkpoint {baseDirectory}: {e.Message}", e);
        }

        return model;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (ServedModel model in _ordered)
        {
            await model.DisposeAsync().ConfigureAwait(false);
        }
    }
}
