using DeepResearcher.Core.Rewards;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace DeepResearcher.Recipes.Configuration;

/// <summary>
/// Reads and writes the YAML config. Unknown keys and wrong types are errors with the file, line and key, and
/// <see cref="Validate"/> checks ranges and combinations, so a bad config fails before any work starts.
/// </summary>
public static class TrainingConfigFile
{
    private static readonly IDeserializer Reader = new DeserializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .Build();

    private static readonly ISerializer Writer = new SerializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .Build();

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
        try
        {
            // Start from the preset the file names, so a file only needs the keys it changes.
            var probe = Reader.Deserialize<Dictionary<string, object?>>(yaml) ?? [];
            if (preset is null && probe.TryGetValue("preset", out object? named) && named is string name)
            {
                config = TrainingPresets.Get(name);
            }

            var merging = new DeserializerBuilder()
                .WithNamingConvention(UnderscoredNamingConvention.Instance)
                .WithObjectFactory(new PresetObjectFactory(config))
                .Build();
            TrainingConfig loaded = merging.Deserialize<TrainingConfig>(yaml) ?? config;
            ValidateValues(loaded);
            return loaded;
        }
        catch (YamlException ex)
        {
            string where = ex.Start.Line > 0 ? $"{path}:{ex.Start.Line}:{ex.Start.Column}" : path;
            string reason = (ex.InnerException?.Message ?? ex.Message).Split('\n')[0];
            if (reason.Contains("not found on type", StringComparison.Ordinal))
            {
                reason += " (unknown key: check the spelling against 'deepresearcher train --print-config')";
            }

            throw new ConfigException($"{where}: {reason}", ex);
        }
    }

    public static string ToYaml(TrainingConfig config) => Writer.Serialize(config);

    private static readonly string[] WorldSizeNames = [.. Enum.GetValues<DeepResearcher.World.Generation.WorldSize>().Select(DeepResearcher.World.Generation.WorldSizes.Name)];

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

        if (!WorldSizeNames.Contains(config.World.Size.Trim(), StringComparer.OrdinalIgnoreCase))
        {
            problems.Add($"world.size must be one of {string.Join(", ", WorldSizeNames)} (got '{config.World.Size}')");
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

        if (config.Actor.AdvEstimator is not ("grpo" or "dr_grpo"))
        {
            problems.Add($"actor.adv_estimator must be grpo or dr_grpo (got '{config.Actor.AdvEstimator}')");
        }

        if (config.Actor.LossAggMode is not ("token-mean" or "constant"))
        {
            problems.Add($"actor.loss_agg_mode must be token-mean or constant (got '{config.Actor.LossAggMode}')");
        }

        if (config.Actor.LrSchedule is not ("constant" or "cosine"))
        {
            problems.Add($"actor.lr_schedule must be constant or cosine (got '{config.Actor.LrSchedule}')");
        }

        if (config.Sft.LrSchedule is not ("constant" or "cosine"))
        {
            problems.Add($"sft.lr_schedule must be constant or cosine (got '{config.Sft.LrSchedule}')");
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

        if (config.Reward.Kind is not ("f1" or "em" or "judge"))
        {
            problems.Add($"reward.kind must be f1, em or judge (got '{config.Reward.Kind}')");
        }
        else if (config.Reward.Kind == "judge" && (!Uri.TryCreate(config.Reward.JudgeUrl, UriKind.Absolute, out Uri? judgeUrl) || judgeUrl.Scheme is not ("http" or "https") || config.Reward.JudgeModel.Length == 0))
        {
            problems.Add($"reward.kind judge needs reward.judge_url (an http(s) OpenAI-compatible endpoint, got '{config.Reward.JudgeUrl}') and reward.judge_model");
        }

        try
        {
            MetricRuleNames.Parse(config.Reward.MetricRules);
        }
        catch (FormatException ex)
        {
            problems.Add($"reward.metric_rules: {ex.Message}");
        }

        if (config.Model.TokenizerSplit is not ("qwen2" or "stable-names"))
        {
            problems.Add($"model.tokenizer_split must be qwen2 or stable-names (got '{config.Model.TokenizerSplit}')");
        }

        if (config.Sft.DemoNoise is not ("varied" or "hasty" or "none"))
        {
            problems.Add($"sft.demo_noise must be varied, hasty or none (got '{config.Sft.DemoNoise}')");
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

        if (config.Rollout.N == 1 && config.Actor.AdvEstimator == "grpo")
        {
            problems.Add("rollout.n = 1 gives GRPO nothing to compare within a group; use rollout.n ≥ 2");
        }

        return problems;
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
            _ => _fallback.Create(type),
        };
    }
}
