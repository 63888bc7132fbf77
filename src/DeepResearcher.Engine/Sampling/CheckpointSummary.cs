using System.Text.Json.Nodes;
using DeepResearcher.Engine.Checkpoints;
using DeepResearcher.Engine.Model;
using DeepResearcher.Engine.Tokenization;

namespace DeepResearcher.Engine.Sampling;

/// <summary>What a Hugging Face checkpoint directory holds, read from headers only (no weights are loaded).</summary>
public sealed record CheckpointSummary(
    string Directory,
    TransformerConfig Config,
    long ParameterCount,
    IReadOnlyList<SafetensorsDType> WeightTypes,
    IReadOnlyList<string> WeightFiles,
    BpeTokenizer? Tokenizer)
{
    public const string TokenizerFileName = "tokenizer.json";

    /// <summary>Reads config.json, the safetensors headers (single file or shards of an index) and tokenizer.json if present.</summary>
    public static async Task<CheckpointSummary> ReadAsync(string directory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (!System.IO.Directory.Exists(directory)) throw new DirectoryNotFoundException($"checkpoint directory {directory} does not exist");
        var config = HuggingFaceConfig.Read(Path.Combine(directory, HuggingFaceCheckpoint.ConfigFileName));
        var files = await WeightFilesAsync(directory, cancellationToken).ConfigureAwait(false);
        long parameters = 0;
        var types = new SortedSet<SafetensorsDType>();
        foreach (var file in files)
        {
            using var weights = SafetensorsFile.Open(Path.Combine(directory, file));
            foreach (var info in weights.Tensors.Values)
            {
                parameters += info.ElementCount;
                types.Add(info.DType);
            }
        }
        var tokenizerPath = Path.Combine(directory, TokenizerFileName);
        var tokenizer = File.Exists(tokenizerPath)
            ? await BpeTokenizer.FromTokenizerJsonAsync(tokenizerPath, cancellationToken).ConfigureAwait(false)
            : null;
        return new CheckpointSummary(directory, config, parameters, [.. types], files, tokenizer);
    }

    /// <summary>Loads the tokenizer of a checkpoint directory, or says that it has none.</summary>
    /// <exception cref="FileNotFoundException">No tokenizer.json in the directory.</exception>
    public static Task<BpeTokenizer> LoadTokenizerAsync(string directory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var path = Path.Combine(directory, TokenizerFileName);
        if (!File.Exists(path)) throw new FileNotFoundException($"checkpoint directory {directory} has no {TokenizerFileName}", path);
        return BpeTokenizer.FromTokenizerJsonAsync(path, cancellationToken);
    }

    private static async Task<IReadOnlyList<string>> WeightFilesAsync(string directory, CancellationToken cancellationToken)
    {
        if (File.Exists(Path.Combine(directory, HuggingFaceCheckpoint.WeightsFileName))) return [HuggingFaceCheckpoint.WeightsFileName];
        var indexPath = Path.Combine(directory, HuggingFaceCheckpoint.IndexFileName);
        if (!File.Exists(indexPath))
            throw new FileNotFoundException($"checkpoint directory {directory} has neither {HuggingFaceCheckpoint.WeightsFileName} nor {HuggingFaceCheckpoint.IndexFileName}", indexPath);
        var index = JsonNode.Parse(await File.ReadAllTextAsync(indexPath, cancellationToken).ConfigureAwait(false));
        if (index?["weight_map"] is not JsonObject map) throw new InvalidDataException($"{indexPath} has no weight_map object");
        return [.. map.Select(entry => entry.Value?.GetValue<string>() ?? throw new InvalidDataException($"{indexPath}: no file for {entry.Key}"))
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }
}
