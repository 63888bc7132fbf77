using System.Text.Json;
using System.Text.Json.Nodes;
using DeepResearcher.Engine.Model;

namespace DeepResearcher.Engine.Checkpoints;

/// <summary>
/// LoRA adapters in the PEFT layout: <c>adapter_config.json</c> plus <c>adapter_model.safetensors</c> with tensors
/// named <c>base_model.model.{module}.lora_A.weight</c> / <c>lora_B.weight</c>.
/// </summary>
public static class LoraCheckpoint
{
    public const string ConfigFileName = "adapter_config.json";
    public const string WeightsFileName = "adapter_model.safetensors";

    public static async Task SaveAsync(TransformerModel model, string directory, string? baseModelNameOrPath = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        var linears = model.Layers.SelectMany(l => l.Linears).Where(l => l.Lora is not null).ToList();
        if (linears.Count == 0) throw new InvalidOperationException("the model has no LoRA adapters to save");
        var first = linears[0].Lora!;
        if (linears.Any(l => l.Lora!.Rank != first.Rank || l.Lora.Alpha != first.Alpha))
            throw new InvalidOperationException("adapters with different ranks or alphas cannot share one adapter_config.json");

        Directory.CreateDirectory(directory);
        var tensors = new List<SafetensorsTensor>();
        foreach (var lora in linears.Select(l => l.Lora!))
        {
            foreach (var p in new[] { lora.A, lora.B })
                tensors.Add(SafetensorsTensor.FromFloats(p.Name, SafetensorsDType.F32, Array.ConvertAll(p.Shape, d => (long)d), p.Data));
        }

        await SafetensorsWriter.WriteAsync(Path.Combine(directory, WeightsFileName), tensors,
            new Dictionary<string, string> { ["format"] = "pt" }, cancellationToken).ConfigureAwait(false);

        var targets = new JsonArray();
        foreach (string name in linears.Select(ShortName).Distinct(StringComparer.Ordinal)) targets.Add(name);
        var config = new JsonObject
        {
            ["peft_type"] = "LORA",
            ["task_type"] = "CAUSAL_LM",
            ["r"] = first.Rank,
            ["lora_alpha"] = first.Alpha,
            ["lora_dropout"] = 0.0,
            ["bias"] = "none",
            ["target_modules"] = targets,
            ["base_model_name_or_path"] = baseModelNameOrPath,
            ["inference_mode"] = true,
        };
        string temp = Path.Combine(directory, $".{ConfigFileName}.{Guid.NewGuid():N}.tmp");
        await File.WriteAllTextAsync(temp, config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }), cancellationToken).ConfigureAwait(false);
        File.Move(temp, Path.Combine(directory, ConfigFileName), overwrite: true);
    }

    /// <summary>Attaches adapters as described by adapter_config.json (freezing the base) and loads their weights.</summary>
    public static IReadOnlyList<LoraAdapter> Load(TransformerModel model, string directory)
    {
        ArgumentNullException.ThrowIfNull(model);
        string configPath = Path.Combine(directory, ConfigFileName);
        if (!File.Exists(configPath))
            throw new CheckpointFormatException(configPath, null, "adapter config not found", new FileNotFoundException(configPath));
        int rank;
        float alpha;
        List<string> targets;
        try
        {
            var config = JsonNode.Parse(File.ReadAllText(configPath)) as JsonObject
                ?? throw new CheckpointFormatException(configPath, null, "not a JSON object");
            if ((string?)config["peft_type"] is { } type && type != "LORA")
                throw new CheckpointFormatException(configPath, null, $"peft_type '{type}' is not LORA");
            rank = (int?)config["r"] ?? throw new CheckpointFormatException(configPath, null, "r is missing");
            alpha = (float?)config["lora_alpha"] ?? rank;
            targets = config["target_modules"] is JsonArray array
                ? array.Select(n => (string?)n).OfType<string>().ToList()
                : throw new CheckpointFormatException(configPath, null, "target_modules must be a list of module names");
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            throw new CheckpointFormatException(configPath, null, $"malformed adapter config ({e.Message})", e);
        }

        var adapters = model.AttachLora(rank, alpha, targets);
        using var file = SafetensorsFile.Open(Path.Combine(directory, WeightsFileName));
        foreach (var p in adapters.SelectMany(a => new[] { a.A, a.B }))
        {
            var info = file.GetInfo(p.Name);
            if (info.Shape.Length != p.Shape.Length || info.Shape.Where((d, i) => d != p.Shape[i]).Any())
                throw new CheckpointFormatException(file.FilePath, p.Name, $"shape {info.ShapeText} does not match the model's {p.ShapeText}");
            file.ReadFloat32(p.Name, p.Data);
        }
        model.BumpWeightVersion();
        return adapters;
    }

    private static string ShortName(Linear linear) => linear.Prefix[(linear.Prefix.LastIndexOf('.') + 1)..];
}
