using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using DeepResearcher.Engine.Model;

namespace DeepResearcher.Engine.Checkpoints;

/// <summary>Reads and writes the Hugging Face <c>config.json</c> of Qwen2 and Llama checkpoints.</summary>
public static class HuggingFaceConfig
{
    public static TransformerConfig Read(string path)
    {
        if (!File.Exists(path))
            throw new CheckpointFormatException(path, null, "config.json not found", new FileNotFoundException(path));
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses config.json text; <paramref name="sourcePath"/> only names the file in errors.</summary>
    public static TransformerConfig Parse(string json, string sourcePath)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json);
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException(sourcePath, null, $"not valid JSON ({e.Message})", e);
        }
        if (root is not JsonObject obj) throw new CheckpointFormatException(sourcePath, null, "not a JSON object");

        string modelType = GetString(obj, "model_type") ?? throw new CheckpointFormatException(sourcePath, null, "model_type is missing");
        if (modelType is not ("qwen2" or "llama"))
            throw new CheckpointFormatException(sourcePath, null, $"unsupported architecture model_type '{modelType}' (supported: qwen2, llama)");
        string? activation = GetString(obj, "hidden_act");
        if (activation is not null && activation != "silu")
            throw new CheckpointFormatException(sourcePath, null, $"unsupported hidden_act '{activation}' (only silu)");
        if (GetBool(obj, "use_sliding_window", false))
            throw new CheckpointFormatException(sourcePath, null, "use_sliding_window is not supported");
        if (GetBool(obj, "mlp_bias", false))
            throw new CheckpointFormatException(sourcePath, null, "mlp_bias is not supported");

        int hidden = GetInt(obj, "hidden_size", sourcePath);
        int heads = GetInt(obj, "num_attention_heads", sourcePath);
        bool attentionBias = GetBool(obj, "attention_bias", false);
        var config = new TransformerConfig
        {
            ModelType = modelType,
            VocabSize = GetInt(obj, "vocab_size", sourcePath),
            HiddenSize = hidden,
            IntermediateSize = GetInt(obj, "intermediate_size", sourcePath),
            NumLayers = GetInt(obj, "num_hidden_layers", sourcePath),
            NumHeads = heads,
            NumKeyValueHeads = obj["num_key_value_heads"] is null ? heads : GetInt(obj, "num_key_value_heads", sourcePath),
            ExplicitHeadDim = obj["head_dim"] is null ? 0 : GetInt(obj, "head_dim", sourcePath),
            RopeTheta = GetDouble(obj, "rope_theta", 10000.0, sourcePath),
            RmsNormEps = GetDouble(obj, "rms_norm_eps", 1e-6, sourcePath),
            TieWordEmbeddings = GetBool(obj, "tie_word_embeddings", false),
            MaxPositionEmbeddings = obj["max_position_embeddings"] is null ? 4096 : GetInt(obj, "max_position_embeddings", sourcePath),
            QkvBias = modelType == "qwen2" || attentionBias,
            OutputBias = modelType == "llama" && attentionBias,
            RopeScaling = ParseRopeScaling(obj["rope_scaling"] as JsonObject, sourcePath),
        };
        try
        {
            config.Validate();
        }
        catch (ArgumentException e)
        {
            throw new CheckpointFormatException(sourcePath, null, e.Message, e);
        }
        return config;
    }

    /// <summary>
    /// config.json text for <paramref name="config"/>. Fields of <paramref name="original"/> that this engine does
    /// not model (token ids, rope_scaling: null, ...) are kept so other tools see the same checkpoint.
    /// </summary>
    public static string Format(TransformerConfig config, SafetensorsDType dtype, string? original = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        var obj = (original is null ? null : JsonNode.Parse(original) as JsonObject) ?? [];
        bool qwen = config.ModelType == "qwen2";
        obj["architectures"] = new JsonArray(qwen ? "Qwen2ForCausalLM" : "LlamaForCausalLM");
        obj["model_type"] = config.ModelType;
        obj["hidden_act"] = "silu";
        obj["vocab_size"] = config.VocabSize;
        obj["hidden_size"] = config.HiddenSize;
        obj["intermediate_size"] = config.IntermediateSize;
        obj["num_hidden_layers"] = config.NumLayers;
        obj["num_attention_heads"] = config.NumHeads;
        obj["num_key_value_heads"] = config.NumKeyValueHeads;
        if (config.ExplicitHeadDim > 0) obj["head_dim"] = config.ExplicitHeadDim;
        obj["rope_theta"] = config.RopeTheta;
        obj["rms_norm_eps"] = config.RmsNormEps;
        obj["tie_word_embeddings"] = config.TieWordEmbeddings;
        obj["max_position_embeddings"] = config.MaxPositionEmbeddings;
        if (!qwen) obj["attention_bias"] = config.QkvBias;
        obj["rope_scaling"] = config.RopeScaling is not { } scaling ? null : new JsonObject
        {
            ["rope_type"] = scaling.Type,
            ["factor"] = scaling.Factor,
            ["low_freq_factor"] = scaling.LowFreqFactor,
            ["high_freq_factor"] = scaling.HighFreqFactor,
            ["original_max_position_embeddings"] = scaling.OriginalMaxPositionEmbeddings,
        };
        obj["torch_dtype"] = SafetensorsDTypes.ToTorchName(dtype);
        return obj.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    private static RopeScaling? ParseRopeScaling(JsonObject? scaling, string path)
    {
        if (scaling is null) return null;
        string type = GetString(scaling, "rope_type") ?? GetString(scaling, "type") ?? "default";
        if (type == "default") return null;
        if (type is not ("linear" or "llama3"))
            throw new CheckpointFormatException(path, null, $"rope_scaling type '{type}' is not supported (linear, llama3)");
        return new RopeScaling
        {
            Type = type,
            Factor = GetDouble(scaling, "factor", double.NaN, path) is var f && double.IsNaN(f)
                ? throw new CheckpointFormatException(path, null, "rope_scaling.factor is missing")
                : f,
            LowFreqFactor = GetDouble(scaling, "low_freq_factor", 1.0, path),
            HighFreqFactor = GetDouble(scaling, "high_freq_factor", 4.0, path),
            OriginalMaxPositionEmbeddings = scaling["original_max_position_embeddings"] is null ? 8192 : GetInt(scaling, "original_max_position_embeddings", path),
        };
    }

    private static string? GetString(JsonObject obj, string key)
        => obj[key] is JsonValue v && v.TryGetValue(out string? s) ? s : null;

    private static bool GetBool(JsonObject obj, string key, bool fallback)
        => obj[key] is JsonValue v && v.TryGetValue(out bool b) ? b : fallback;

    private static int GetInt(JsonObject obj, string key, string path)
    {
        if (obj[key] is JsonValue v && v.GetValueKind() == JsonValueKind.Number && double.TryParse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out double d)
            && d == Math.Floor(d) && d >= int.MinValue && d <= int.MaxValue)
        {
            return (int)d;
        }

        throw new CheckpointFormatException(path, null, $"{key} is missing or not an integer");
    }

    private static double GetDouble(JsonObject obj, string key, double fallback, string path)
    {
        var node = obj[key];
        if (node is null) return fallback;
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number
            && double.TryParse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out double d))
        {
            return d;
        }

        throw new CheckpointFormatException(path, null, $"{key} is not a number");
    }
}
