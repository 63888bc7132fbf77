using System.Text.Json;
using System.Text.Json.Nodes;
using DeepResearcher.Core.Rewards;
using DeepResearcher.Training.Grpo;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace DeepResearcher.Recipes.Configuration;

/// <summary>
/// Reads and writes the YAML config. Unknown keys and wrong types are errors with the file, line and key, and
/// values of enum-valued keys are checked by name (<see cref="ConfigChoices"/>) before the file binds to the typed
/// config; <see cref="Validate"/> checks ranges and combinations, so a bad config fails before any work starts.
/// </summary>
public static class TrainingConfigFile
{
    private static readonly IDeserializer Reader = new DeserializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .Build();

    private static readonly ISerializer Writer = new SerializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .WithTypeConverter(new ConfigChoiceYamlConverter())
        .Build();

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new ConfigChoiceJsonConverter() },
    };

    /// <summary>The preset named in the file (or <paramref name="preset"/>), with the file's keys on top.</summary>
    public static TrainingConfig Load(string? path, string? preset)
    {
        TrainingConfig config = TrainingPresets.Get(preset ?? "offline-tiny");
        if (path is null)
        {
            return config;
        }

        if (!File.Exists(path))
        {
            throw new ConfigException($"{path}: config file not found");
        }

        string yaml = File.ReadAllText(path);
        if (preset is null && PresetNamed(yaml, path) is string name)
        {
            // Start from the preset the file names, so a file only needs the keys it changes.
            config = TrainingPresets.Get(name);
        }

        return Overlay(config, yaml, path);
    }

    /// <summary>
    /// <paramref name="yaml"/>'s keys over <paramref name="config"/> (which it changes and returns), checked as a
    /// loaded config is: unknown keys, wrong types, choices by name, ranges.
    /// </summary>
    internal static TrainingConfig Overlay(TrainingConfig config, string yaml, string source)
    {
        try
        {
            List<string> problems = ChoiceProblems(Reader.Deserialize<Dictionary<string, object?>>(yaml) ?? []);
            var merging = new DeserializerBuilder()
                .WithNamingConvention(UnderscoredNamingConvention.Instance)
                .WithTypeConverter(new ConfigChoiceYamlConverter())
                .WithObjectFactory(new PresetObjectFactory(config))
                .Build();
            TrainingConfig loaded = merging.Deserialize<TrainingConfig>(yaml) ?? config;
            problems.AddRange(Problems(loaded, checkPaths: false));
            ThrowIfAny(problems);
            return loaded;
        }
        catch (YamlException ex)
        {
            throw FileError(ex, source);
        }
    }

    private static string? PresetNamed(string yaml, string source)
    {
        try
        {
            var probe = Reader.Deserialize<Dictionary<string, object?>>(yaml) ?? [];
            return probe.TryGetValue("preset", out object? named) && named is string name ? name : null;
        }
        catch (YamlException ex)
        {
            throw FileError(ex, source);
        }
    }

    private static ConfigException FileError(YamlException ex, string source)
    {
        string where = ex.Start.Line > 0 ? $"{source}:{ex.Start.Line}:{ex.Start.Column}" : source;
        string reason = (ex.InnerException?.Message ?? ex.Message).Split('\n')[0];
        if (reason.Contains("not found on type", StringComparison.Ordinal))
        {
            reason += " (unknown key: check the spelling against 'deepresearcher train --print-config')";
        }

        return new ConfigException($"{where}: {reason}", ex);
    }

    /// <summary>The enum-valued keys of a file as written, checked by name: the typed config cannot hold a wrong one.</summary>
    private static List<string> ChoiceProblems(Dictionary<string, object?> file)
    {
        var problems = new List<string>();
        foreach ((string section, string key, IConfigChoice choice) in ConfigChoices.Keys)
        {
            if (file.TryGetValue(section, out object? body) && body is IDictionary<object, object?> keys && keys.TryGetValue(key, out object? value)
                && !(value is string text && choice.TryParse(text, out _)))
            {
                problems.Add(ConfigChoices.Problem($"{section}.{key}", choice, value is null or string ? value : "a list or mapping"));
            }
        }

        if (file.TryGetValue("reward", out object? reward) && reward is IDictionary<object, object?> rewardKeys && rewardKeys.TryGetValue("metric_rules", out object? rules))
        {
            try
            {
                MetricRuleNames.Parse(rules switch
                {
                    null => [],
                    string one => [one],
                    IEnumerable<object?> many => many.Select(r => r?.ToString() ?? string.Empty),
                    _ => [rules.ToString() ?? string.Empty],
                });
            }
            catch (FormatException ex)
            {
                problems.Add($"reward.metric_rules: {ex.Message}");
            }
        }

        return problems;
    }

    /// <summary>The config as YAML: the file format <see cref="Load"/> reads, keys in declaration order.</summary>
    public static string ToYaml(TrainingConfig config) => Writer.Serialize(config);

    /// <summary>The config as JSON with the YAML's key names and values (the run manifest's <c>config</c>).</summary>
    public static JsonObject ToJson(TrainingConfig config) => JsonSerializer.SerializeToNode(config, Json)!.AsObject();

    /// <summary>Range and consistency checks, and that the directories the config names exist; every problem is listed, not just the first.</summary>
    public static void Validate(TrainingConfig config) => ThrowIfAny(Problems(config, checkPaths: true));

    /// <summary>
    /// The checks of <see cref="Validate"/> that need nothing but the values, for a config just read: a value out of
    /// range fails at load (and so in --print-config), not when a run reaches the code that uses it.
    /// </summary>
    public static void ValidateValues(TrainingConfig config) => ThrowIfAny(Problems(config, checkPaths: false));

    private static void ThrowIfAny(List<string> problems)
    {
        if (problems.Count == 1)
        {
            throw new ConfigException("invalid training config: " + problems[0]);
        }

        if (problems.Count > 1)
        {
            throw new ConfigException($"invalid training config ({problems.Count} problems):\n  - " + string.Join("\n  - ", problems));
        }
    }

    private static List<string> Problems(TrainingConfig config, bool checkPaths)
    {
        var problems = new List<string>();
        void AtLeast(string key, double value, double least)
        {
            if (!(value >= least))
            {
                problems.Add($"{key} must be ≥ {least} (got {value})");
            }
        }

        void Probability(string key, double value)
        {
            if (value is < 0 or > 1 || double.IsNaN(value))
            {
                problems.Add($"{key} must be in [0, 1] (got {value})");
            }
        }

        void Positive(string key, double value)
        {
            if (!(value > 0))
            {
                problems.Add($"{key} must be > 0 (got {value})");
            }
        }

        Positive("data.train_batch_size", config.Data.TrainBatchSize);
        Positive("data.max_turns", config.Data.MaxTurns);
        Positive("data.max_response_length", config.Data.MaxResponseLength);
        Positive("data.max_model_len", config.Data.MaxModelLen);
        Positive("rollout.n", config.Rollout.N);
        Positive("rollout.temperature", config.Rollout.Temperature);
        Positive("actor.lr", config.Actor.Lr);
        Positive("actor.micro_batch_tokens", config.Actor.MicroBatchTokens);
        Positive("actor.ppo_epochs", config.Actor.PpoEpochs);
        Positive("trainer.total_steps", config.Trainer.TotalSteps);
        Positive("model.hidden_size", config.Model.HiddenSize);
        Positive("model.num_layers", config.Model.NumLayers);
        Positive("model.num_heads", config.Model.NumHeads);
        Positive("model.vocab_size", config.Model.VocabSize);
        Positive("model.intermediate_size", config.Model.IntermediateSize);
        Positive("sft.lr", config.Sft.Lr);
        Positive("sft.batch_size", config.Sft.BatchSize);
        Positive("actor.grad_clip", config.Actor.GradClip);
        Positive("rollout.tool_timeout", config.Rollout.ToolTimeout);
        AtLeast("sft.steps", config.Sft.Steps, 0);
        AtLeast("sft.pretrain_steps", config.Sft.PretrainSteps, 0);
        AtLeast("data.eval_questions", config.Data.EvalQuestions, 0);
        AtLeast("rollout.top_k", config.Rollout.TopK, 0);
        AtLeast("actor.weight_decay", config.Actor.WeightDecay, 0);
        AtLeast("actor.ppo_mini_batch_size", config.Actor.PpoMiniBatchSize, 0);
        AtLeast("actor.warmup_steps", config.Actor.WarmupSteps, 0);
        AtLeast("trainer.test_freq", config.Trainer.TestFreq, 0);
        AtLeast("trainer.threads", config.Trainer.Threads, 0);
        Probability("sft.demo_hasty_rate", config.Sft.DemoHastyRate);
        if (config.Model.Lora)
        {
            Positive("model.lora_rank", config.Model.LoraRank);
            Positive("model.lora_alpha", config.Model.LoraAlpha);
        }

        if (config.Rollout.ValN < 0)
        {
            problems.Add($"rollout.val_n must be ≥ 0 (got {config.Rollout.ValN}); 0 evaluates greedily only");
        }

        if (config.Rollout.TopP is <= 0 or > 1)
        {
            problems.Add($"rollout.top_p must be in (0, 1] (got {config.Rollout.TopP})");
        }

        if (config.Actor.ClipRatio is <= 0 or >= 1 || config.Actor.ClipRatioHigh < config.Actor.ClipRatio)
        {
            problems.Add($"actor.clip_ratio must be in (0, 1) and actor.clip_ratio_high ≥ clip_ratio (got {config.Actor.ClipRatio}, {config.Actor.ClipRatioHigh})");
        }

        if (config.Actor.KlCoef < 0 || config.Actor.EntropyCoeff < 0)
        {
            problems.Add("actor.kl_coef and actor.entropy_coeff must be ≥ 0");
        }

        if (config.Model.Path.Length == 0 && config.Model.NumHeads > 0 && config.Model.HiddenSize % config.Model.NumHeads != 0)
        {
            problems.Add($"model.hidden_size ({config.Model.HiddenSize}) must be a multiple of model.num_heads ({config.Model.NumHeads})");
        }

        if (config.Model.NumKvHeads <= 0 || config.Model.NumHeads % config.Model.NumKvHeads != 0)
        {
            problems.Add($"model.num_heads ({config.Model.NumHeads}) must be a multiple of model.num_kv_heads ({config.Model.NumKvHeads})");
        }

        if (checkPaths && config.Model.Path.Length > 0 && !Directory.Exists(config.Model.Path))
        {
            problems.Add($"model.path '{config.Model.Path}' does not exist (give a Hugging Face checkpoint directory with config.json, model.safetensors and tokenizer.json)");
        }

        if (checkPaths && config.World.Dir.Length > 0 && !Directory.Exists(config.World.Dir))
        {
            problems.Add($"world.dir '{config.World.Dir}' does not exist (build one with 'deepresearcher world build', or leave it empty to build one)");
        }

        if (config.Reward.Kind == RewardKind.Judge && (!Uri.TryCreate(config.Reward.JudgeUrl, UriKind.Absolute, out Uri? judgeUrl) || judgeUrl.Scheme is not ("http" or "https") || config.Reward.JudgeModel.Length == 0))
        {
            problems.Add($"reward.kind judge needs reward.judge_url (an http(s) OpenAI-compatible endpoint, got '{config.Reward.JudgeUrl}') and reward.judge_model");
        }

        if (config.Sft.Steps > 0 && config.Sft.NumDemos <= 0)
        {
            problems.Add($"sft.num_demos must be > 0 when sft.steps > 0 (got {config.Sft.NumDemos})");
        }

        if (config.World.Port is < 0 or > 65535)
        {
            problems.Add($"world.port must be 0 (any free port) or a TCP port (got {config.World.Port})");
        }

        if (config.Trainer.KeepCheckpoints < 1 || config.Trainer.SaveFreq < 0 || config.Sft.SaveFreq < 0)
        {
            problems.Add($"trainer.keep_checkpoints must be ≥ 1 and trainer.save_freq, sft.save_freq ≥ 0 (got {config.Trainer.KeepCheckpoints}, {config.Trainer.SaveFreq}, {config.Sft.SaveFreq})");
        }

        if (checkPaths && config.World.Dir.Length > 0 && Directory.Exists(config.World.Dir)
            && !File.Exists(Path.Combine(config.World.Dir, "questions", "train.jsonl")))
        {
            problems.Add($"world.dir '{config.World.Dir}' has no questions/train.jsonl (is it a world built by 'deepresearcher world build'?)");
        }

        foreach ((string key, string file) in new[] { ("data.train_files", config.Data.TrainFiles), ("data.val_files", config.Data.ValFiles) })
        {
            if (checkPaths && file.Length > 0 && !File.Exists(file))
            {
                problems.Add($"{key} '{file}' does not exist (a question file, JSONL or the original's parquet; 'deepresearcher data export' writes one from a world)");
            }
        }

        if (config.Tinker.LoraRank < 0 || config.Tinker.RequestTimeout <= 0)
        {
            problems.Add($"tinker.lora_rank must be ≥ 0 (0 = every weight) and tinker.request_timeout > 0 (got {config.Tinker.LoraRank}, {config.Tinker.RequestTimeout})");
        }

        if (config.Tools.Reader is not ("extractive" or "llm"))
        {
            problems.Add($"tools.reader must be extractive or llm (got '{config.Tools.Reader}')");
        }

        // What a run must be given (a service, its model, questions, a reader) is checked when it starts, not when a
        // preset or a partial file is read: the tinker-qwen3-8b preset leaves the URLs to its user.
        if (checkPaths)
        {
            BackendProblems(config, problems);
        }

        if (config.Rollout.N == 1 && config.Actor.AdvEstimator == AdvantageEstimator.Grpo)
        {
            problems.Add("rollout.n = 1 gives GRPO nothing to compare within a group; use rollout.n ≥ 2");
        }

        return problems;
    }

    /// <summary>The <c>tinker</c> and <c>tools</c> sections, and what they exclude: the web has no expert to demonstrate, a service no model from scratch.</summary>
    private static void BackendProblems(TrainingConfig config, List<string> problems)
    {
        bool web = config.Tools.Search.Length > 0 || config.Tools.ToolServers.Count > 0;
        if (config.Trainer.Backend == PolicyBackendKind.Tinker)
        {
            if (!Uri.TryCreate(config.Tinker.BaseUrl, UriKind.Absolute, out Uri? url) || url.Scheme is not ("http" or "https"))
            {
                problems.Add($"trainer.backend tinker needs tinker.base_url, the service's http(s) URL (got '{config.Tinker.BaseUrl}'): hosted Tinker, a SkyRL tx server, or 'deepresearcher serve training'");
            }

            if (config.Tinker.BaseModel.Length == 0)
            {
                problems.Add("trainer.backend tinker needs tinker.base_model, the base model as the service names it (its get_server_capabilities lists them)");
            }

            if (config.Tinker.Tokenizer.Length == 0 && config.Model.Path.Length == 0)
            {
                problems.Add("trainer.backend tinker needs the base model's tokenizer here: tinker.tokenizer (a tokenizer.json) or model.path (a directory with one)");
            }
            else if (config.Tinker.Tokenizer.Length > 0 && !File.Exists(config.Tinker.Tokenizer))
            {
                problems.Add($"tinker.tokenizer '{config.Tinker.Tokenizer}' does not exist (the base model's tokenizer.json, e.g. from its Hugging Face repository)");
            }

            if (config.Model.Lora)
            {
                problems.Add("model.lora is for the local backend; on Tinker the adapter is tinker.lora_rank");
            }

            if (config.Actor.EntropyCoeff != 0)
            {
                problems.Add($"actor.entropy_coeff must be 0 with trainer.backend tinker (got {config.Actor.EntropyCoeff}): Tinker's ppo loss has no entropy term");
            }

            if (config.Actor.LossAggMode != LossAggregation.TokenMean)
            {
                problems.Add("actor.loss_agg_mode must be token-mean with trainer.backend tinker (the advantages are scaled by the batch's token count)");
            }
        }
        else if (config.Tinker.BaseUrl.Length > 0 || config.Tinker.BaseModel.Length > 0)
        {
            problems.Add("tinker.base_url and tinker.base_model are set but trainer.backend is local: set trainer.backend: tinker to train on the service, or clear them");
        }

        if (web)
        {
            if (config.Data.TrainFiles.Length == 0 || config.Data.ValFiles.Length == 0)
            {
                problems.Add("training on the web (tools.search or tools.tool_servers) needs data.train_files and data.val_files: the original's question files (JSONL or parquet)");
            }

            if (config.Sft.Steps + config.Sft.PretrainSteps > 0 && config.Sft.Demonstrations.Length == 0)
            {
                problems.Add("on the web there is no expert to demonstrate: set sft.steps and sft.pretrain_steps to 0, or give sft.demonstrations (a JSONL of trajectories)");
            }

            if (config.Model.Path.Length == 0 && config.Trainer.Backend == PolicyBackendKind.Local)
            {
                problems.Add("training on the web needs a pretrained policy: model.path (local) or trainer.backend tinker; a model from scratch only learns in the offline world");
            }

            foreach (string server in config.Tools.ToolServers)
            {
                if (!Uri.TryCreate(server, UriKind.Absolute, out Uri? u) || u.Scheme is not ("http" or "https"))
                {
                    problems.Add($"tools.tool_servers: '{server}' is not an http(s) URL");
                }
            }
        }

        if (config.Tools.Reader == "llm" && (!Uri.TryCreate(config.Tools.ReaderUrl, UriKind.Absolute, out Uri? reader) || reader.Scheme is not ("http" or "https") || config.Tools.ReaderModel.Length == 0))
        {
            problems.Add($"tools.reader llm needs tools.reader_url (an http(s) OpenAI-compatible endpoint, got '{config.Tools.ReaderUrl}') and tools.reader_model");
        }
    }

    /// <summary>Makes the deserializer fill the preset's objects instead of fresh defaults, so the file overrides key by key.</summary>
    private sealed class PresetObjectFactory(TrainingConfig preset) : YamlDotNet.Serialization.ObjectFactories.ObjectFactoryBase
    {
        private readonly YamlDotNet.Serialization.ObjectFactories.DefaultObjectFactory _fallback = new();

        public override object Create(Type type) => type switch
        {
            _ when type == typeof(TrainingConfig) => preset,
            _ when type == typeof(WorldSection) => preset.World,
            _ when type == typeof(ModelSection) => preset.Model,
            _ when type == typeof(DataSection) => preset.Data,
            _ when type == typeof(RolloutSection) => preset.Rollout,
            _ when type == typeof(ActorSection) => preset.Actor,
            _ when type == typeof(SftSection) => preset.Sft,
            _ when type == typeof(TrainerSection) => preset.Trainer,
            _ when type == typeof(RewardSection) => preset.Reward,
            _ when type == typeof(TinkerSection) => preset.Tinker,
            _ when type == typeof(ToolsSection) => preset.Tools,
            _ => _fallback.Create(type),
        };
    }
}
