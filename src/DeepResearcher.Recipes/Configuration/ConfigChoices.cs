using DeepResearcher.Training.Grpo;
using DeepResearcher.World.Generation;

namespace DeepResearcher.Recipes.Configuration;

/// <summary>Every enum-valued key's spellings, and which keys take which: the one table the file format and its checks read.</summary>
public static class ConfigChoices
{
    public static ConfigChoice<WorldSize> WorldSize { get; } = new([.. Enum.GetValues<WorldSize>().Select(s => (WorldSizes.Name(s), s))], ignoreCase: true);

    public static ConfigChoice<TokenizerSplit> TokenizerSplit { get; } = new([("qwen2", Configuration.TokenizerSplit.Qwen2), ("stable-names", Configuration.TokenizerSplit.StableNames)]);

    public static ConfigChoice<AdvantageEstimator> AdvantageEstimator { get; } = new([("grpo", Configuration.AdvantageEstimator.Grpo), ("dr_grpo", Configuration.AdvantageEstimator.DrGrpo)]);

    public static ConfigChoice<LossAggregation> LossAggregation { get; } = new([("token-mean", Training.Grpo.LossAggregation.TokenMean), ("constant", Training.Grpo.LossAggregation.ConstantNormalizer)]);

    public static ConfigChoice<LrSchedule> LrSchedule { get; } = new([("constant", Configuration.LrSchedule.Constant), ("cosine", Configuration.LrSchedule.Cosine)]);

    public static ConfigChoice<DemoNoise> DemoNoise { get; } = new([("varied", Configuration.DemoNoise.Varied), ("hasty", Configuration.DemoNoise.Hasty), ("none", Configuration.DemoNoise.None)]);

    public static ConfigChoice<RewardKind> RewardKind { get; } = new([("f1", Configuration.RewardKind.F1), ("em", Configuration.RewardKind.Em), ("judge", Configuration.RewardKind.Judge)]);

    public static ConfigChoice<PolicyBackendKind> PolicyBackend { get; } = new([("local", PolicyBackendKind.Local), ("tinker", PolicyBackendKind.Tinker)]);

    public static IReadOnlyList<IConfigChoice> All { get; } = [WorldSize, TokenizerSplit, AdvantageEstimator, LossAggregation, LrSchedule, DemoNoise, RewardKind, PolicyBackend];

    /// <summary>The keys (section, key) that take a choice; their values are checked by name before the file is bound.</summary>
    public static IReadOnlyList<(string Section, string Key, IConfigChoice Choice)> Keys { get; } =
    [
        ("world", "size", WorldSize),
        ("model", "tokenizer_split", TokenizerSplit),
        ("actor", "adv_estimator", AdvantageEstimator),
        ("actor", "loss_agg_mode", LossAggregation),
        ("actor", "lr_schedule", LrSchedule),
        ("sft", "lr_schedule", LrSchedule),
        ("sft", "demo_noise", DemoNoise),
        ("reward", "kind", RewardKind),
        ("trainer", "backend", PolicyBackend),
    ];

    public static IConfigChoice? For(Type type) => All.FirstOrDefault(c => c.Type == type);

    /// <summary>Today's wording: "must be one of a, b, c" for world.size, "must be a, b or c" for the rest.</summary>
    public static string Problem(string key, IConfigChoice choice, object? got)
        => choice == WorldSize
            ? $"{key} must be one of {string.Join(", ", choice.Names)} (got '{got}')"
            : $"{key} must be {string.Join(", ", choice.Names.Take(choice.Names.Count - 1))} or {choice.Names[^1]} (got '{got}')";
}
