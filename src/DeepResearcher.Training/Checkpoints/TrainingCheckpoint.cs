using System.Globalization;
using DeepResearcher.Engine.Checkpoints;
using DeepResearcher.Engine.Model;
using DeepResearcher.Engine.Optim;
using DeepResearcher.Engine.Tokenization;

namespace DeepResearcher.Training.Checkpoints;

/// <summary>
/// A resumable training checkpoint: a Hugging Face directory (config.json + model.safetensors, or a PEFT adapter when
/// the model has LoRA adapters) that transformers and <c>deepresearcher model</c> open as is, plus tokenizer.json,
/// the AdamW moments in optimizer.safetensors (float32, so a resume is bit-exact) and trainer_state.json.
/// </summary>
public static class TrainingCheckpoint
{
    public const string TokenizerFileName = "tokenizer.json";
    public const string OptimizerFileName = "optimizer.safetensors";
    public const string StateFileName = "trainer_state.json";

    /// <summary>Marks directories that are not (yet, or any longer) a checkpoint: the save's staging copy, a replaced or pruned one.</summary>
    public const string TemporaryMarker = ".tmp-";

    public const string FirstMomentSuffix = ".exp_avg";
    public const string SecondMomentSuffix = ".exp_avg_sq";

    internal const string ReplacedPurpose = "replaced-";
    internal const string PrunedPurpose = "pruned-";

    private const string StepCountMetadataKey = "step_count";

    /// <summary>
    /// Writes the checkpoint into a sibling staging directory, flushes every file to disk, then renames it into place
    /// (an existing checkpoint at <paramref name="directory"/> is renamed aside first and deleted after), so a crash at
    /// any moment leaves the old checkpoint or the new one. trainer_state.json is written last: a directory without it
    /// is incomplete. Leftover staging directories of the same target are deleted first.
    /// </summary>
    public static Task SaveAsync(string directory, TransformerModel model, AdamW? optimizer, BpeTokenizer? tokenizer,
        TrainerState state, CancellationToken ct) =>
        SaveAsync(directory, model, optimizer, tokenizer, state, new CheckpointSaveOptions(), ct);

    /// <inheritdoc cref="SaveAsync(string, TransformerModel, AdamW?, BpeTokenizer?, TrainerState, CancellationToken)"/>
    public static async Task SaveAsync(string directory, TransformerModel model, AdamW? optimizer, BpeTokenizer? tokenizer,
        TrainerState state, CheckpointSaveOptions options, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(options);
        string target = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        string stateJson = state.ToJson();
        string parent = Path.GetDirectoryName(target) ?? throw new ArgumentException($"'{directory}' has no parent directory", nameof(directory));
        Directory.CreateDirectory(parent);
        DeleteTemporariesOf(target);

        string staging = TemporaryPath(target, "");
        Directory.CreateDirectory(staging);
        try
        {
            if (model.LoraAdapters.Any())
                await LoraCheckpoint.SaveAsync(model, staging, options.BaseModelNameOrPath, ct).ConfigureAwait(false);
            else
                await HuggingFaceCheckpoint.SaveAsync(model, staging, SafetensorsDType.F32, options.BaseConfigJson, ct).ConfigureAwait(false);
            if (tokenizer is not null)
                await tokenizer.SaveAsync(Path.Combine(staging, TokenizerFileName), ct).ConfigureAwait(false);
            if (optimizer is not null)
                await WriteOptimizerAsync(Path.Combine(staging, OptimizerFileName), optimizer, ct).ConfigureAwait(false);
            // Everything else must be on disk before the file that marks the directory complete.
            foreach (string file in Directory.EnumerateFiles(staging)) FlushToDisk(file);
            string statePath = Path.Combine(staging, StateFileName);
            await File.WriteAllTextAsync(statePath, stateJson, ct).ConfigureAwait(false);
            FlushToDisk(statePath);
            ct.ThrowIfCancellationRequested();

            string? replaced = null;
            if (Directory.Exists(target))
            {
                replaced = TemporaryPath(target, ReplacedPurpose);
                Directory.Move(target, replaced);
            }
            try
            {
                Directory.Move(staging, target);
            }
            catch when (replaced is not null)
            {
                Directory.Move(replaced, target);
                throw;
            }
            if (replaced is not null) DeleteDirectory(replaced);
        }
        catch
        {
            DeleteDirectory(staging);
            throw;
        }
    }

    /// <summary>
    /// Loads a checkpoint into an existing model (full weights, or the adapter into its LoRA adapters, attaching them
    /// when the model has none and no optimizer is given) and, when <paramref name="optimizer"/> is given, the AdamW
    /// step count and moments. On failure the model's weights may be partly overwritten; the optimizer is untouched.
    /// The tokenizer is read separately from <see cref="TokenizerFileName"/>.
    /// </summary>
    /// <exception cref="CheckpointFormatException">A file is missing, corrupt, or does not match the model or optimizer.</exception>
    public static async Task<TrainerState> LoadAsync(string directory, TransformerModel model, AdamW? optimizer, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentNullException.ThrowIfNull(model);
        if (!Directory.Exists(directory))
        {
            throw new CheckpointFormatException(directory, null,
                "checkpoint directory not found; give a directory written by TrainingCheckpoint.SaveAsync (CheckpointDirectory.Latest() finds the newest)",
                new DirectoryNotFoundException(directory));
        }

        var state = await ReadStateAsync(directory, ct).ConfigureAwait(false);

        // The optimizer file is read and checked in full before the model is touched.
        var saved = optimizer is null ? default : ReadOptimizer(Path.Combine(directory, OptimizerFileName), optimizer);
        ct.ThrowIfCancellationRequested();

        LoadWeights(directory, model, optimizer is not null);
        ct.ThrowIfCancellationRequested();

        if (optimizer is not null)
        {
            try
            {
                optimizer.RestoreState(saved.StepCount, name => saved.Moments.TryGetValue(name, out var moments) ? moments : null);
            }
            catch (InvalidDataException e)
            {
                throw new CheckpointFormatException(Path.Combine(directory, OptimizerFileName), null, e.Message, e);
            }
        }
        return state;
    }

    /// <summary>Reads only trainer_state.json: where the run stood, to decide how to resume before building anything.</summary>
    /// <exception cref="CheckpointFormatException">The file is missing, not valid, or of an unknown format version.</exception>
    public static async Task<TrainerState> ReadStateAsync(string directory, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        string statePath = Path.Combine(directory, StateFileName);
        if (!File.Exists(statePath))
        {
            throw new CheckpointFormatException(statePath, null,
                "missing, so the checkpoint is incomplete (its save was interrupted, or this is not a training checkpoint); resume from another checkpoint",
                new FileNotFoundException(statePath));
        }

        return TrainerState.Parse(await File.ReadAllTextAsync(statePath, ct).ConfigureAwait(false), statePath);
    }

    /// <summary>Whether a directory holds a complete checkpoint (trainer_state.json, written last, is present).</summary>
    public static bool IsComplete(string directory) =>
        !Path.GetFileName(Path.TrimEndingDirectorySeparator(directory)).Contains(TemporaryMarker, StringComparison.Ordinal)
        && File.Exists(Path.Combine(directory, StateFileName));

    private static void LoadWeights(string directory, TransformerModel model, bool optimizerGiven)
    {
        string adapterConfig = Path.Combine(directory, LoraCheckpoint.ConfigFileName);
        bool checkpointIsAdapter = File.Exists(adapterConfig);
        var adapters = model.LoraAdapters.ToList();
        if (!checkpointIsAdapter)
        {
            if (adapters.Count > 0)
            {
                throw new CheckpointFormatException(Path.Combine(directory, HuggingFaceCheckpoint.WeightsFileName), null,
                    $"the checkpoint holds full weights but the model has {adapters.Count} LoRA adapters; load it into a model without adapters");
            }

            string configPath = Path.Combine(directory, HuggingFaceCheckpoint.ConfigFileName);
            if (!File.Exists(configPath))
            {
                throw new CheckpointFormatException(configPath, null,
                    $"missing: the directory holds neither config.json + {HuggingFaceCheckpoint.WeightsFileName} nor a LoRA adapter ({LoraCheckpoint.ConfigFileName})",
                    new FileNotFoundException(configPath));
            }

            CheckSameArchitecture(HuggingFaceConfig.Read(configPath), model.Config, configPath);
            HuggingFaceCheckpoint.LoadWeights(model, directory);
            return;
        }

        if (adapters.Count == 0)
        {
            // Attaching here creates parameters an optimizer built earlier cannot know about.
            if (optimizerGiven)
            {
                throw new CheckpointFormatException(adapterConfig, null,
                    "the checkpoint is a LoRA adapter but the model has no adapters; attach them (TransformerModel.AttachLora) before creating the optimizer, then load");
            }

            LoraCheckpoint.Load(model, directory);
            return;
        }

        string weightsPath = Path.Combine(directory, LoraCheckpoint.WeightsFileName);
        if (!File.Exists(weightsPath))
            throw new CheckpointFormatException(weightsPath, null, "missing: the LoRA adapter has a config but no weights", new FileNotFoundException(weightsPath));
        using var file = SafetensorsFile.Open(weightsPath);
        var parameters = adapters.SelectMany(a => new[] { a.A, a.B }).ToList();
        foreach (var p in parameters)
        {
            if (!file.Contains(p.Name))
            {
                throw new CheckpointFormatException(weightsPath, p.Name,
                    "missing: the adapter was trained on other modules than the model's adapters (compare target_modules in adapter_config.json)");
            }

            var info = file.GetInfo(p.Name);
            if (!SameShape(info.Shape, p.Shape))
                throw new CheckpointFormatException(weightsPath, p.Name, $"shape {info.ShapeText} does not match the model's {p.ShapeText} (another LoRA rank or base model)");
        }
        if (file.Tensors.Count != parameters.Count)
        {
            throw new CheckpointFormatException(weightsPath, null,
                $"holds {file.Tensors.Count} tensors but the model's adapters have {parameters.Count}; attach adapters to the modules listed in adapter_config.json");
        }

        foreach (var p in parameters) file.ReadFloat32(p.Name, p.Data);
        model.BumpWeightVersion();
    }

    /// <summary>
    /// Compares what tensor shapes cannot show: 4 heads of 8 and 8 heads of 4 give the same q_proj, and RoPE and the
    /// norm epsilon have no tensor at all, yet each changes every output.
    /// </summary>
    private static void CheckSameArchitecture(TransformerConfig saved, TransformerConfig model, string configPath)
    {
        var differences = new List<string>();
        void Compare<T>(string key, T savedValue, T modelValue)
        {
            if (!EqualityComparer<T>.Default.Equals(savedValue, modelValue)) differences.Add($"{key} {savedValue} (model: {modelValue})");
        }
        Compare("model_type", saved.ModelType, model.ModelType);
        Compare("num_attention_heads", saved.NumHeads, model.NumHeads);
        Compare("num_key_value_heads", saved.NumKeyValueHeads, model.NumKeyValueHeads);
        Compare("head_dim", saved.HeadDim, model.HeadDim);
        Compare("rope_theta", saved.RopeTheta, model.RopeTheta);
        Compare("rms_norm_eps", saved.RmsNormEps, model.RmsNormEps);
        Compare("rope_scaling", saved.RopeScaling, model.RopeScaling);
        Compare("tie_word_embeddings", saved.TieWordEmbeddings, model.TieWordEmbeddings);
        if (differences.Count > 0)
        {
            throw new CheckpointFormatException(configPath, null,
                $"describes another architecture than the model it is loaded into: {string.Join(", ", differences)}; create the model from this config.json (HuggingFaceConfig.Read)");
        }
    }

    private static async Task WriteOptimizerAsync(string path, AdamW optimizer, CancellationToken ct)
    {
        var tensors = new List<SafetensorsTensor>();
        foreach (var (parameter, firstMoment, secondMoment) in optimizer.State)
        {
            long[] shape = Array.ConvertAll(parameter.Shape, d => (long)d);
            tensors.Add(SafetensorsTensor.FromFloats(parameter.Name + FirstMomentSuffix, SafetensorsDType.F32, shape, firstMoment));
            tensors.Add(SafetensorsTensor.FromFloats(parameter.Name + SecondMomentSuffix, SafetensorsDType.F32, shape, secondMoment));
        }
        var metadata = new Dictionary<string, string>
        {
            ["format"] = "pt",
            [StepCountMetadataKey] = optimizer.StepCount.ToString(CultureInfo.InvariantCulture),
        };
        await SafetensorsWriter.WriteAsync(path, tensors, metadata, ct).ConfigureAwait(false);
    }

    private static (int StepCount, Dictionary<string, (float[] FirstMoment, float[] SecondMoment)> Moments) ReadOptimizer(string path, AdamW optimizer)
    {
        if (!File.Exists(path))
        {
            throw new CheckpointFormatException(path, null,
                "missing: the checkpoint was saved without optimizer state; load it with optimizer: null to start the optimizer fresh",
                new FileNotFoundException(path));
        }

        using var file = SafetensorsFile.Open(path);
        if (!file.Metadata.TryGetValue(StepCountMetadataKey, out string? stepText)
            || !int.TryParse(stepText, NumberStyles.None, CultureInfo.InvariantCulture, out int stepCount))
        {
            throw new CheckpointFormatException(path, null, $"the header's __metadata__ has no valid '{StepCountMetadataKey}'; the file was not written by TrainingCheckpoint");
        }

        var moments = new Dictionary<string, (float[], float[])>(StringComparer.Ordinal);
        foreach (var (parameter, _, _) in optimizer.State)
        {
            moments[parameter.Name] = (ReadMoment(file, parameter, FirstMomentSuffix), ReadMoment(file, parameter, SecondMomentSuffix));
        }
        return (stepCount, moments);
    }

    private static float[] ReadMoment(SafetensorsFile file, Parameter parameter, string suffix)
    {
        string name = parameter.Name + suffix;
        if (!file.Contains(name))
        {
            throw new CheckpointFormatException(file.FilePath, name,
                "missing: the optimizer was saved over other parameters (another model, or LoRA versus full fine-tuning); load with optimizer: null to start it fresh");
        }

        var info = file.GetInfo(name);
        if (info.DType != SafetensorsDType.F32)
            throw new CheckpointFormatException(file.FilePath, name, $"dtype {info.DType} instead of F32; optimizer moments are kept in float32 so a resume is exact");
        if (!SameShape(info.Shape, parameter.Shape))
            throw new CheckpointFormatException(file.FilePath, name, $"shape {info.ShapeText} does not match the parameter's {parameter.ShapeText}");
        return file.ReadFloat32(name);
    }

    private static bool SameShape(long[] fileShape, int[] shape) =>
        fileShape.Length == shape.Length && fileShape.Zip(shape).All(pair => pair.First == pair.Second);

    /// <summary>Forces a file's data to disk, so a power cut after the rename cannot leave a complete-looking directory of empty files.</summary>
    private static void FlushToDisk(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
        stream.Flush(flushToDisk: true);
    }

    internal static string TemporaryPath(string target, string purpose) =>
        $"{target}{TemporaryMarker}{purpose}{Guid.NewGuid():N}";

    private static void DeleteTemporariesOf(string target)
    {
        string? parent = Path.GetDirectoryName(target);
        if (parent is null || !Directory.Exists(parent)) return;
        foreach (string stray in Directory.EnumerateDirectories(parent, Path.GetFileName(target) + TemporaryMarker + "*"))
            DeleteDirectory(stray);
    }

    internal static void DeleteDirectory(string path)
    {
        try
        {
            if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
            // Left for CleanTemporaries: a stray staging directory is ignored by every reader.
        }
        catch (UnauthorizedAccessException)
        {
            // As above.
        }
    }
}
