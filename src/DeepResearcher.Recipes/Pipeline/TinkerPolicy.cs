using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;
using DeepResearcher.Evaluation.Runs;
using DeepResearcher.Recipes.Configuration;
using DeepResearcher.Tinker.Client;
using DeepResearcher.Training.Backends;
using DeepResearcher.Training.Checkpoints;

namespace DeepResearcher.Recipes.Pipeline;

/// <summary>
/// The policy of a run with <c>trainer.backend: tinker</c>: one client of the service, the training runs the stages
/// make on it, and the files that record them in the run (each checkpoint names its save_weights path; the reference
/// directory also its sampler snapshot). The warm start trains one run over the base model; GRPO a new run loaded
/// from the warm start's end with a fresh optimizer, as the in-process trainer starts GRPO with a new AdamW.
/// </summary>
public sealed class TinkerPolicy : IAsyncDisposable
{
    /// <summary>In the reference directory: the sampler snapshot the KL reference reads.</summary>
    public const string ReferenceFileName = "tinker_reference.json";

    private readonly TrainingConfig _config;
    private readonly IProgress<string> _log;

    private TinkerPolicy(TrainingConfig config, TinkerClient client, IProgress<string> log)
    {
        _config = config;
        Client = client;
        _log = log;
    }

    public TinkerClient Client { get; }

    public string BaseModel => _config.Tinker.BaseModel;

    /// <summary>A client of <c>tinker.base_url</c> with the key from <c>tinker.api_key_env</c> (never printed).</summary>
    public static TinkerPolicy Connect(TrainingConfig config, IProgress<string> log)
    {
        ArgumentNullException.ThrowIfNull(config);
        TinkerClientOptions options = TinkerClientOptions.FromEnvironment(new Uri(config.Tinker.BaseUrl), config.Tinker.ApiKeyEnv) with
        {
            RequestTimeout = TimeSpan.FromSeconds(config.Tinker.RequestTimeout),
        };
        return new TinkerPolicy(config, new TinkerClient(options), log);
    }

    /// <summary>A training run over the base model: LoRA of <c>tinker.lora_rank</c>, seeded by the trainer's seed.</summary>
    public async Task<TinkerBackend> CreateAsync(CancellationToken cancellationToken)
    {
        TinkerBackend backend = await TinkerBackend.CreateAsync(Client, BaseModel, _config.Tinker.LoraRank, (long)_config.Trainer.Seed, cancellationToken);
        _log.Report($"tinker: training run {backend.ModelId} over {BaseModel} ({(_config.Tinker.LoraRank == 0 ? "every weight" : $"LoRA rank {_config.Tinker.LoraRank}")}) at {_config.Tinker.BaseUrl}");
        return backend;
    }

    /// <summary>A training run resumed from a checkpoint the run wrote: its weights and optimizer state (load_weights).</summary>
    public async Task<TinkerBackend> ResumeAsync(string checkpoint, CancellationToken cancellationToken)
    {
        TinkerBackend backend = await TinkerBackend.CreateAsync(Client, BaseModel, _config.Tinker.LoraRank, (long)_config.Trainer.Seed, cancellationToken);
        await backend.LoadStateAsync(checkpoint, cancellationToken);
        _log.Report($"tinker: training run {backend.ModelId} loaded from {Path.GetFileName(checkpoint)} ({WeightsPath(checkpoint)})");
        return backend;
    }

    /// <summary>A new training run with the weights of a checkpoint the run wrote and a fresh optimizer.</summary>
    public async Task<TinkerBackend> StartFromWeightsAsync(string checkpoint, CancellationToken cancellationToken)
    {
        string weights = WeightsPath(checkpoint);
        TinkerBackend backend = await TinkerBackend.CreateFromWeightsAsync(Client, BaseModel, _config.Tinker.LoraRank, (long)_config.Trainer.Seed, weights, cancellationToken);
        _log.Report($"tinker: training run {backend.ModelId} from {weights}, fresh optimizer");
        return backend;
    }

    /// <summary>save_weights, recorded in <paramref name="directory"/> with the trainer state; the directory appears complete or not at all.</summary>
    public static async Task SaveCheckpointAsync(TinkerBackend backend, string directory, TrainerState state, CancellationToken cancellationToken)
    {
        string staging = $"{directory}{TrainingCheckpoint.TemporaryMarker}tinker{Guid.NewGuid():N}";
        await backend.SaveStateAsync(staging, state, cancellationToken);
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }

        Directory.Move(staging, directory);
    }

    /// <summary>The KL reference: the warm start's end as a sampler snapshot (saved with the checkpoint in <paramref name="directory"/>).</summary>
    public static async Task SaveReferenceAsync(TinkerBackend backend, string directory, TrainerState state, CancellationToken cancellationToken)
    {
        string sampler = await backend.SaveWeightsForSamplerAsync($"reference-{state.Seed}", cancellationToken);
        string staging = $"{directory}{TrainingCheckpoint.TemporaryMarker}tinker{Guid.NewGuid():N}";
        await backend.SaveStateAsync(staging, state, cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(staging, ReferenceFileName), JsonSerializer.Serialize(new Dictionary<string, string> { ["sampler_path"] = sampler }), cancellationToken);
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }

        Directory.Move(staging, directory);
    }

    /// <summary>Log-probs under the warm start's end (<paramref name="referenceDirectory"/>), or the base model's when there was no warm start.</summary>
    public ILogProbSource Reference(string? referenceDirectory)
    {
        if (referenceDirectory is null)
        {
            return TinkerSamplerLogProbs.OfBaseModel(Client, BaseModel);
        }

        string file = Path.Combine(referenceDirectory, ReferenceFileName);
        Dictionary<string, string> saved = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(file))
            ?? throw new InvalidDataException($"{file} is empty");
        return TinkerSamplerLogProbs.OfSnapshot(Client, saved.TryGetValue("sampler_path", out string? path) ? path : throw new InvalidDataException($"{file} has no sampler_path"));
    }

    /// <summary>
    /// The final policy in <paramref name="checkpoint"/>: its sampler snapshot and save_weights paths, and, where the
    /// service offers checkpoint archives, the weights themselves (what <c>serve model</c> and <c>eval run --checkpoint</c> open).
    /// </summary>
    public async Task ExportAsync(TinkerBackend backend, string checkpoint, CancellationToken cancellationToken)
    {
        string sampler = await backend.SaveWeightsForSamplerAsync("final", cancellationToken);
        string weights = await backend.SaveWeightsAsync("final", cancellationToken);
        Directory.CreateDirectory(checkpoint);
        await AtomicFile.WriteAllTextAsync(Path.Combine(checkpoint, TinkerBackend.CheckpointFileName), JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["base_url"] = _config.Tinker.BaseUrl,
            ["base_model"] = BaseModel,
            ["model_id"] = backend.ModelId,
            ["sampler_path"] = sampler,
            ["tinker_path"] = weights,
        }, new JsonSerializerOptions { WriteIndented = true }), cancellationToken);
        string download = $"{checkpoint}{TrainingCheckpoint.TemporaryMarker}archive{Guid.NewGuid():N}";
        try
        {
            await using (var file = new FileStream(download, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                await Client.DownloadCheckpointArchiveAsync(backend.ModelId, "sampler_weights/final", file, cancellationToken);
            }

            await using (var archive = new FileStream(download, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true))
            await using (var gzip = new GZipStream(archive, CompressionMode.Decompress))
            {
                await TarFile.ExtractToDirectoryAsync(gzip, checkpoint, overwriteFiles: true, cancellationToken);
            }

            _log.Report($"tinker: final weights {sampler} downloaded into {checkpoint}");
        }
        catch (Exception ex) when (ex is TinkerApiException or HttpRequestException or InvalidDataException)
        {
            _log.Report($"tinker: the final weights stay on the service at {sampler} ({ex.Message}); {checkpoint} records the paths");
        }
        finally
        {
            File.Delete(download);
        }
    }

    public ValueTask DisposeAsync() => Client.DisposeAsync();

    private static string WeightsPath(string checkpoint)
    {
        string file = Path.Combine(checkpoint, TinkerBackend.CheckpointFileName);
        Dictionary<string, string> saved = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(file))
            ?? throw new InvalidDataException($"{file} is empty");
        return saved.TryGetValue("tinker_path", out string? path) ? path : throw new InvalidDataException($"{file} has no tinker_path");
    }
}
