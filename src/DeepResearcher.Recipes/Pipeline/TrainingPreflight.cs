using DeepResearcher.Engine.Checkpoints;
using DeepResearcher.Engine.Model;
using DeepResearcher.Engine.Tokenization;
using DeepResearcher.Recipes.Configuration;

namespace DeepResearcher.Recipes.Pipeline;

/// <summary>
/// Checks what a run needs before any work starts: a pretrained model directory that has its config, weights and
/// tokenizer, a tokenizer that belongs to the model, the chat tokens the protocol uses. A bad directory fails here,
/// not twenty minutes in.
/// </summary>
public static class TrainingPreflight
{
    public static async Task CheckAsync(TrainingConfig config, CancellationToken cancellationToken)
    {
        TrainingConfigFile.Validate(config);
        if (config.Trainer.Backend == PolicyBackendKind.Tinker)
        {
            await TinkerPreflight.CheckAsync(config, cancellationToken);
        }

        if (config.Tools.Search.Length > 0 || config.Tools.ToolServers.Count > 0)
        {
            await WebToolsPreflight.CheckAsync(config, cancellationToken);
        }

        if (config.Model.Path.Length == 0)
        {
            return;
        }

        string dir = config.Model.Path;
        string configPath = Path.Combine(dir, HuggingFaceCheckpoint.ConfigFileName);
        string tokenizerPath = Path.Combine(dir, "tokenizer.json");
        var missing = new List<string>();
        if (!File.Exists(configPath))
        {
            missing.Add(HuggingFaceCheckpoint.ConfigFileName);
        }

        if (!File.Exists(Path.Combine(dir, HuggingFaceCheckpoint.WeightsFileName)) && !File.Exists(Path.Combine(dir, HuggingFaceCheckpoint.IndexFileName)))
        {
            missing.Add($"{HuggingFaceCheckpoint.WeightsFileName} (or {HuggingFaceCheckpoint.IndexFileName})");
        }

        if (!File.Exists(tokenizerPath))
        {
            missing.Add("tokenizer.json");
        }

        if (missing.Count > 0)
        {
            throw new ConfigException($"model.path '{dir}' is not a Hugging Face checkpoint directory: it lacks {string.Join(", ", missing)}");
        }

        TransformerConfig modelConfig;
        try
        {
            modelConfig = HuggingFaceConfig.Read(configPath);
        }
        catch (Exception ex) when (ex is CheckpointFormatException or System.Text.Json.JsonException or InvalidDataException or NotSupportedException)
        {
            throw new ConfigException($"{configPath}: {ex.Message}", ex);
        }

        BpeTokenizer tokenizer = await BpeTokenizer.FromTokenizerJsonAsync(tokenizerPath, cancellationToken);
        if (tokenizer.VocabSize > modelConfig.VocabSize)
        {
            throw new ConfigException($"{tokenizerPath} has {tokenizer.VocabSize:N0} tokens but the model's embedding has {modelConfig.VocabSize:N0} rows: the tokenizer does not belong to this model (use the tokenizer.json saved with the checkpoint)");
        }

        string[] chat = ["<|im_start|>", "<|im_end|>"];
        string[] absent = [.. chat.Where(t => tokenizer.TokenToId(t) is null)];
        if (absent.Length > 0)
        {
            throw new ConfigException($"{tokenizerPath} has no {string.Join(" or ", absent)} token: the research protocol needs a ChatML chat model (Qwen2/Qwen2.5 style)");
        }

        if (config.Model.Lora && config.Model.LoraRank <= 0)
        {
            throw new ConfigException($"model.lora_rank must be > 0 (got {config.Model.LoraRank})");
        }
    }
}
