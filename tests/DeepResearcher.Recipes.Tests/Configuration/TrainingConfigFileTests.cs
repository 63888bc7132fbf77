using DeepResearcher.Recipes.Configuration;

namespace DeepResearcher.Recipes.Tests.Configuration;

public sealed class TrainingConfigFileTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "dr-config-" + Guid.NewGuid().ToString("N"));

    public TrainingConfigFileTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_file_overrides_only_the_keys_it_names()
    {
        string path = Write("rollout:\n  n: 4\nactor:\n  kl_coef: 0\n  lr: 0.0005\n");

        TrainingConfig config = TrainingConfigFile.Load(path, null);

        Assert.Equal(4, config.Rollout.N);
        Assert.Equal(0, config.Actor.KlCoef);
        Assert.Equal(0.0005, config.Actor.Lr);
        Assert.Equal(TrainingPresets.Get("offline-tiny").Data.TrainBatchSize, config.Data.TrainBatchSize);
        Assert.Equal(0.2, config.Actor.ClipRatio);
    }

    [Fact]
    public void The_file_can_name_its_preset()
    {
        TrainingConfig config = TrainingConfigFile.Load(Write("preset: qwen2.5-0.5b\n"), null);

        Assert.True(config.Model.Lora);
        Assert.Equal("qwen2.5-0.5b", config.Preset);
    }

    [Fact]
    public void An_unknown_key_names_the_line_and_the_key()
    {
        string path = Write("actor:\n  lr: 0.001\n  klcoef: 0.1\n");

        var ex = Assert.Throws<ConfigException>(() => TrainingConfigFile.Load(path, null));

        Assert.Contains($"{path}:3", ex.Message, StringComparison.Ordinal);
        Assert.Contains("klcoef", ex.Message, StringComparison.Ordinal);
        Assert.Contains("unknown key", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("actor:\n  lr: -1\n", "actor.lr must be > 0 (got -1)")]
    [InlineData("sft:\n  lr: 0\n", "sft.lr must be > 0 (got 0)")]
    [InlineData("model:\n  num_heads: 0\n", "model.num_heads must be > 0 (got 0)")]
    [InlineData("sft:\n  steps: -3\n", "sft.steps must be ≥ 0 (got -3)")]
    [InlineData("sft:\n  demo_hasty_rate: -0.1\n", "sft.demo_hasty_rate must be in [0, 1] (got -0.1)")]
    [InlineData("rollout:\n  top_p: 1.5\n", "rollout.top_p must be in (0, 1] (got 1.5)")]
    [InlineData("world:\n  size: huge\n", "world.size must be one of tiny, small, default, large (got 'huge')")]
    public void Values_out_of_range_fail_at_load_naming_the_key_the_value_and_the_range(string yaml, string expected)
    {
        string path = Write(yaml);

        var ex = Assert.Throws<ConfigException>(() => TrainingConfigFile.Load(path, null));

        Assert.Equal("invalid training config: " + expected, ex.Message);
    }

    [Fact]
    public void Several_problems_are_listed_together()
    {
        string path = Write("actor:\n  lr: -1\nsft:\n  batch_size: 0\n");

        var ex = Assert.Throws<ConfigException>(() => TrainingConfigFile.Load(path, null));

        Assert.StartsWith("invalid training config (2 problems):", ex.Message, StringComparison.Ordinal);
        Assert.Contains("  - actor.lr must be > 0 (got -1)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("  - sft.batch_size must be > 0 (got 0)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Loading_does_not_check_that_directories_exist()
    {
        // Paths are checked when a run starts (Validate), so --print-config works for a config meant for another machine.
        string path = Write("model:\n  path: /nonexistent/model\n");

        TrainingConfig config = TrainingConfigFile.Load(path, null);

        Assert.Equal("/nonexistent/model", config.Model.Path);
        Assert.Throws<ConfigException>(() => TrainingConfigFile.Validate(config));
    }

    [Fact]
    public void A_wrong_type_names_the_line()
    {
        string path = Write("rollout:\n  n: sixteen\n");

        var ex = Assert.Throws<ConfigException>(() => TrainingConfigFile.Load(path, null));

        Assert.Contains($"{path}:2", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validation_lists_every_problem()
    {
        TrainingConfig config = TrainingPresets.Get("offline-tiny");
        config.Rollout.N = 0;
        config.Actor.ClipRatioHigh = 0.1;
        config.Model.Path = "/nonexistent/model";
        config.Reward.Kind = RewardKind.Judge;
        config.Sft.DemoHastyRate = 1.5;
        config.Rollout.ValN = -1;

        var ex = Assert.Throws<ConfigException>(() => TrainingConfigFile.Validate(config));

        Assert.Contains("rollout.n must be > 0", ex.Message, StringComparison.Ordinal);
        Assert.Contains("clip_ratio_high", ex.Message, StringComparison.Ordinal);
        Assert.Contains("/nonexistent/model", ex.Message, StringComparison.Ordinal);
        Assert.Contains("reward.judge_url", ex.Message, StringComparison.Ordinal);
        Assert.Contains("sft.demo_hasty_rate must be in [0, 1] (got 1.5)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("rollout.val_n must be ≥ 0 (got -1)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_value_that_is_no_choice_is_listed_with_the_key_the_value_and_the_choices()
    {
        string path = Write("actor:\n  adv_estimator: ppo\n  loss_agg_mode: sum\n  lr_schedule: linear\n  lr: -1\nsft:\n  demo_noise: loud\n  lr_schedule: [a]\nmodel:\n  tokenizer_split: gpt5\nreward:\n  kind: bleu\n");

        var ex = Assert.Throws<ConfigException>(() => TrainingConfigFile.Load(path, null));

        Assert.StartsWith("invalid training config (8 problems):", ex.Message, StringComparison.Ordinal);
        Assert.Contains("actor.adv_estimator must be grpo or dr_grpo (got 'ppo')", ex.Message, StringComparison.Ordinal);
        Assert.Contains("actor.loss_agg_mode must be token-mean or constant (got 'sum')", ex.Message, StringComparison.Ordinal);
        Assert.Contains("actor.lr_schedule must be constant or cosine (got 'linear')", ex.Message, StringComparison.Ordinal);
        Assert.Contains("sft.lr_schedule must be constant or cosine (got 'a list or mapping')", ex.Message, StringComparison.Ordinal);
        Assert.Contains("sft.demo_noise must be varied, hasty or none (got 'loud')", ex.Message, StringComparison.Ordinal);
        Assert.Contains("model.tokenizer_split must be qwen2 or stable-names (got 'gpt5')", ex.Message, StringComparison.Ordinal);
        Assert.Contains("reward.kind must be f1, em or judge (got 'bleu')", ex.Message, StringComparison.Ordinal);
        Assert.Contains("actor.lr must be > 0 (got -1)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Choices_read_as_their_enums()
    {
        TrainingConfig config = TrainingConfigFile.Load(Write("world:\n  size: Tiny\nactor:\n  adv_estimator: dr_grpo\n  loss_agg_mode: constant\n  lr_schedule: cosine\nsft:\n  demo_noise: none\nmodel:\n  tokenizer_split: qwen2\nreward:\n  kind: em\n"), null);

        Assert.Equal(DeepResearcher.World.Generation.WorldSize.Tiny, config.World.Size);
        Assert.Equal(AdvantageEstimator.DrGrpo, config.Actor.AdvEstimator);
        Assert.Equal(DeepResearcher.Training.Grpo.LossAggregation.ConstantNormalizer, config.Actor.LossAggMode);
        Assert.Equal(LrSchedule.Cosine, config.Actor.LrSchedule);
        Assert.Equal(LrSchedule.Cosine, config.Sft.LrSchedule);
        Assert.Equal(DemoNoise.None, config.Sft.DemoNoise);
        Assert.Equal(TokenizerSplit.Qwen2, config.Model.TokenizerSplit);
        Assert.Equal(RewardKind.Em, config.Reward.Kind);
    }

    [Fact]
    public void Metric_rules_are_read_by_name_and_an_unknown_one_is_refused()
    {
        TrainingConfig config = TrainingConfigFile.Load(Write("reward:\n  metric_rules: [unicode-punctuation, hotpotqa-yes-no]\n"), null);

        var ex = Assert.Throws<ConfigException>(() => TrainingConfigFile.Load(Write("reward:\n  metric_rules: [ascii]\n"), null));

        Assert.Equal(Core.Rewards.MetricRules.UnicodePunctuation | Core.Rewards.MetricRules.HotpotQaYesNo, config.Reward.MetricRules);
        Assert.Equal(Core.Rewards.MetricRules.None, TrainingPresets.Get("offline-tiny").Reward.MetricRules);
        Assert.Equal("invalid training config: reward.metric_rules: 'ascii' is not a metric rule; the rules are unicode-punctuation, hotpotqa-yes-no (none: the published definitions)", ex.Message);
    }

    [Fact]
    public void Printed_config_reads_back_identically()
    {
        TrainingConfig config = TrainingPresets.Get("offline-tiny");
        string yaml = TrainingConfigFile.ToYaml(config);

        TrainingConfig copy = TrainingConfigFile.Load(Write(yaml), null);

        Assert.Equal(yaml, TrainingConfigFile.ToYaml(copy));
        Assert.Contains("train_batch_size:", yaml, StringComparison.Ordinal);
        Assert.Contains("kl_coef:", yaml, StringComparison.Ordinal);
        Assert.Contains("clip_ratio:", yaml, StringComparison.Ordinal);
        TrainingConfigFile.Validate(copy);
    }

    [Fact]
    public void Unknown_presets_and_missing_files_are_clear_errors()
    {
        Assert.Contains("offline-tiny", Assert.Throws<ConfigException>(() => TrainingPresets.Get("huge")).Message, StringComparison.Ordinal);
        Assert.Contains("not found", Assert.Throws<ConfigException>(() => TrainingConfigFile.Load("/nonexistent.yaml", null)).Message, StringComparison.Ordinal);
    }

    private string Write(string yaml)
    {
        string path = Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".yaml");
        File.WriteAllText(path, yaml);
        return path;
    }
}
