using DeepResearcher.ChatModels;
using DeepResearcher.Core.Rewards;
using DeepResearcher.Engine.Optim;
using DeepResearcher.Engine.Tokenization;
using DeepResearcher.Environments.Composition;
using DeepResearcher.Evaluation.Judging;
using DeepResearcher.Recipes.Configuration;
using DeepResearcher.Training.Checkpoints;
using DeepResearcher.Training.Backends;
using DeepResearcher.Training.Grpo;
using DeepResearcher.Training.Rewards;
using DeepResearcher.World.Demonstration;

namespace DeepResearcher.Recipes.Pipeline;

/// <summary>
/// What the config's choices build: the demonstrator's noise, the tokenizer's split, the learning-rate schedules, the
/// GRPO loss and advantage options, the reward and the agent settings. One place, so a config value means one thing.
/// </summary>
public sealed class TrainingComponents(TrainingConfig config)
{
    /// <summary>The settings a training run researches in: the run's limits, with the compact prompt for a model from scratch.</summary>
    public AgentSettings AgentSettings()
    {
        var limits = Training.Checkpoints.AgentSettings.Original with
        {
            MaxTurns = config.Data.MaxTurns,
            MaxTokensPerTurn = config.Data.MaxResponseLength,
            MaxContextTokens = config.Data.MaxModelLen,
            ToolTimeoutSeconds = config.Rollout.ToolTimeout,
        };
        AgentSettings compact = limits.AsCompact();
        // A pretrained chat model reads the original's full instructions and tool schemas; the tools' output stays short.
        // On the web the policy is always a pretrained chat model (the config's checks require model.path or a Tinker base model).
        bool pretrained = config.Model.Path.Length > 0 || config.Tools.Search.Length > 0 || config.Tools.ToolServers.Count > 0;
        return pretrained ? compact with { PromptProfile = "original", SystemPrompt = null, ShowToolSchemas = true } : compact;
    }

    /// <summary>The web tools of the <c>tools</c> section, with the run's SQLite cache unless a PostgreSQL one is shared.</summary>
    public ToolboxSpec WebToolboxSpec(AgentSettings settings, string cachePath) => new()
    {
        Profile = settings.ToolProfile(),
        Search = config.Tools.ToolServers.Count > 0 ? null : config.Tools.Search,
        ToolServers = [.. config.Tools.ToolServers.Select(u => new Uri(u))],
        Reader = config.Tools.ToolServers.Count > 0 ? "extractive" : config.Tools.Reader,
        ReaderModelUrl = config.Tools.Reader == "llm" && config.Tools.ToolServers.Count == 0 ? new Uri(config.Tools.ReaderUrl) : null,
        ReaderModel = config.Tools.Reader == "llm" && config.Tools.ToolServers.Count == 0 ? config.Tools.ReaderModel : null,
        ReaderApiKeyEnvironmentVariable = config.Tools.ReaderApiKeyEnv,
        CachePath = config.Tools.ToolServers.Count > 0 || config.Tools.PostgresCache.Length > 0 ? null : cachePath,
        PostgresCache = config.Tools.ToolServers.Count > 0 || config.Tools.PostgresCache.Length == 0 ? null : config.Tools.PostgresCache,
    };

    public ExpertNoise DemoNoise() => config.Sft.DemoNoise switch
    {
        Configuration.DemoNoise.None => ExpertNoise.None,
        Configuration.DemoNoise.Hasty => ExpertNoise.Hasty(config.Sft.DemoHastyRate),
        Configuration.DemoNoise.Varied => ExpertNoise.Varied,
        _ => throw new ArgumentOutOfRangeException(nameof(config), config.Sft.DemoNoise, "unknown sft.demo_noise"),
    };

    /// <summary>The pre-tokenizer pattern of a tokenizer trained from scratch; null = Qwen2's.</summary>
    public string? TokenizerSplitPattern() => config.Model.TokenizerSplit == TokenizerSplit.StableNames ? BpeTrainer.StableNamesPattern : null;

    /// <summary>Over the whole warm start (pretraining and SFT), a cosine decays to a tenth of <c>sft.lr</c>.</summary>
    public LearningRateSchedule WarmStartSchedule(int warmSteps) => config.Sft.LrSchedule == LrSchedule.Cosine
        ? LearningRateSchedule.WarmupCosine((float)config.Sft.Lr, 0, warmSteps, (float)config.Sft.Lr / 10)
        : LearningRateSchedule.Constant((float)config.Sft.Lr);

    public LearningRateSchedule GrpoSchedule() => config.Actor.LrSchedule == LrSchedule.Cosine
        ? LearningRateSchedule.WarmupCosine((float)config.Actor.Lr, config.Actor.WarmupSteps, config.Trainer.TotalSteps)
        : LearningRateSchedule.Constant((float)config.Actor.Lr);

    /// <summary>The optimizer settings of every step, warm start and GRPO alike (the learning rate comes per step).</summary>
    public AdamParams AdamParams() => new() { WeightDecay = (float)config.Actor.WeightDecay, GradClipNorm = (float)config.Actor.GradClip };

    public GrpoTrainerOptions GrpoOptions() => new()
    {
        Adam = AdamParams(),
        Loss = new GrpoLossOptions
        {
            ClipLow = config.Actor.ClipRatio,
            ClipHigh = config.Actor.ClipRatioHigh,
            KlCoefficient = config.Actor.KlCoef,
            EntropyCoefficient = config.Actor.EntropyCoeff,
            Aggregation = config.Actor.LossAggMode,
            MaxResponseTokens = config.Data.MaxResponseLength * config.Data.MaxTurns,
        },
        PpoEpochs = config.Actor.PpoEpochs,
        MiniBatchSize = config.Actor.PpoMiniBatchSize,
        DropZeroVarianceGroups = config.Actor.DropZeroVarianceGroups,
    };

    public AdvantageNormalization AdvantageNormalization() => config.Actor.AdvEstimator switch
    {
        AdvantageEstimator.Grpo => Training.Grpo.AdvantageNormalization.MeanStd,
        AdvantageEstimator.DrGrpo => Training.Grpo.AdvantageNormalization.MeanOnly,
        _ => throw new ArgumentOutOfRangeException(nameof(config), config.Actor.AdvEstimator, "unknown actor.adv_estimator"),
    };

    /// <summary>Whether <see cref="Reward"/> needs a judge cache.</summary>
    public bool UsesJudge => config.Reward.Kind == RewardKind.Judge;

    /// <param name="judgeCache">The run's judge cache; required when <see cref="UsesJudge"/>.</param>
    public IRolloutReward Reward(MetricRules metricRules, JudgeCache? judgeCache) => config.Reward.Kind switch
    {
        RewardKind.F1 => new SetF1Reward(metricRules),
        RewardKind.Em => new ExactMatchReward(metricRules),
        RewardKind.Judge => new JudgeReward(
            new MbeJudge(
                new OpenAIChatModel(new OpenAIChatModelOptions { BaseUrl = new Uri(config.Reward.JudgeUrl), Model = config.Reward.JudgeModel, ApiKeyEnvironmentVariable = config.Reward.JudgeApiKeyEnv }),
                judgeCache ?? throw new ArgumentNullException(nameof(judgeCache), "reward.kind judge needs the run's judge cache")),
            metricRules),
        _ => throw new ArgumentOutOfRangeException(nameof(config), config.Reward.Kind, "unknown reward.kind"),
    };
}
