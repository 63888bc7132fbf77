using System.Text.Json;
using DeepResearcher.Engine.Model;

namespace DeepResearcher.Engine.Checkpoints;

/// <summary>
/// A Hugging Face checkpoint directory: <c>config.json</c> plus <c>model.safetensors</c> or shards listed in
/// <c>model.safetensors.index.json</c>, with the usual Qwen2 / Llama tensor names.
/// </summary>
public static class HuggingFaceCheckpoint
{
    public const string ConfigFileName = "config.json";
    public const string WeightsFileName = "model.safetensors";
    public const string IndexFileName = "model.safetensors.index.json";

    /// <summary>Reads config.json and every weight, converting bf16/f16 to float32 master weights.</summary>
    public static TransformerModel Load(string directory)
    {
        var config = HuggingFaceConfig.Read(Path.Combine(directory, ConfigFileName));
        var model = TransformerModel.Create(config);
        LoadWeights(model, directory);
        return model;
    }

    /// <summary>Fills the model's parameters from the checkpoint's safetensors file(s); shapes must match exactly.</summary>
    public static void LoadWeights(TransformerModel model, string directory)
    {
        ArgumentNullException.ThrowIfNull(model);
        var files = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
        try
        {
            var locate = OpenWeightFiles(directory, files);
            foreach (var parameter in model.Parameters)
            {
                var file = locate(parameter.Name);
                var info = file.GetInfo(parameter.Name);
                if (info.DType is not (SafetensorsDType.F32 or SafetensorsDType.BF16 or SafetensorsDType.F16))
                    throw new CheckpointFormatException(file.FilePath, parameter.Name, $"dtype {info.DType} is not a floating-point type");
                if (!ShapeEquals(info.Shape, parameter.Shape))
                    throw new CheckpointFormatException(file.FilePath, parameter.Name, $"shape {info.ShapeText} does not match the model's {parameter.ShapeText}");
                file.ReadFloat32(parameter.Name, parameter.Data);
            }
        }
        finally
        {
            foreach (var file in files.Values) file.Dispose();
            model.BumpWeightVersion();
        }
    }

    /// <summary>Writes config.json and a single model.safetensors (each atomically) that transformers can open.</summary>
    public static async Task SaveAsync(TransformerModel model, string directory, SafetensorsDType dtype = SafetensorsDType.F32,
        string? baseConfigJson = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (dtype is not (SafetensorsDType.F32 or SafetensorsDType.BF16 or SafetensorsDType.F16))
            throw new ArgumentException($"weights cannot be saved as {dtype}", nameof(dtype));
        Directory.CreateDirectory(directory);
        var tensors = model.Parameters
            .Select(p => SafetensorsTensor.FromFloats(p.Name, dtype, Array.ConvertAll(p.Shape, d => (long)d), p.Data))
            .ToList();
        var metadata = new Dictionary<string, string> { ["format"] = "pt" };
        await SafetensorsWriter.WriteAsync(Path.Combine(directory, WeightsFileName), tensors, metadata, cancellationToken).ConfigureAwait(false);

        string configPath = Path.Combine(directory, ConfigFileName);
        string temp = Path.Combine(directory, $".{ConfigFileName}.{Guid.NewGuid():N}.tmp");
        await File.WriteAllTextAsync(temp, HuggingFaceConfig.Format(model.Config, dtype, baseConfigJson), cancellationToken).ConfigureAwait(false);
        File.Move(temp, configPath, overwrite: true);
    }

    private static Func<string, SafetensorsFile> OpenWeightFiles(string directory, Dictionary<string, SafetensorsFile> files)
    {
        string single = Path.Combine(directory, WeightsFileName);
        string index = Path.Combine(directory, IndexFileName);
        if (File.Exists(single))
        {
            var file = SafetensorsFile.Open(single);
            files[single] = file;
            return _ => file;
        }
        if (!File.Exists(index))
            throw new CheckpointFormatException(single, null, $"no {WeightsFileName} or {IndexFileName} in {directory}", new FileNotFoundException(single));

        var weightMap = ReadWeightMap(index);
        return name =>
        {
            if (!weightMap.TryGetValue(name, out string? shard))
                throw new CheckpointFormatException(index, name, "tensor not listed in weight_map");
            string shardPath = Path.Combine(directory, shard);
            if (!files.TryGetValue(shardPath, out var file))
            {
                file = SafetensorsFile.Open(shardPath);
                files[shardPath] = file;
            }
            return file;
        };
    }

    private static Dictionary<string, string> ReadWeightMap(string indexPath)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(indexPath));
            if (!document.RootElement.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
                throw new CheckpointFormatException(indexPath, null, "weight_map is missing");
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var entry in map.EnumerateObject())
            {
                string? shard = entry.Value.ValueKind == JsonValueKind.String ? entry.Value.GetString() : null;
                if (string.IsNullOrEmpty(shard) || shard.Contains("..", StringComparison.Ordinal) || Path.IsPathRooted(shard))
                    throw new CheckpointFormatException(indexPath, entry.Name, "weight_map entry is not a file name in the checkpoint directory");
                result[entry.Name] = shard;
            }
            return result;
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException(indexPath, null, $"not valid JSON ({e.Message})", e);
        }
    }

    private static bool ShapeEquals(long[] fileShape, int[] modelShape)
    {
        if (fileShape.Length != modelShape.Length) return false;
        for (int i = 0; i < fileShape.Length; i++)
            if (fileShape[i] != modelShape[i]) return false;
        return true;
    }
}
