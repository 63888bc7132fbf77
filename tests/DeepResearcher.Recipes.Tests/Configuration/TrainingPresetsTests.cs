using System.Text.Json.Nodes;
using DeepResearcher.Recipes.Configuration;
using DeepResearcher.Training.Grpo;
using DeepResearcher.World.Generation;

namespace DeepResearcher.Recipes.Tests.Configuration;

public sealed class TrainingPresetsTests
{
    /// <summary>
    /// The presets as C# had them before they became YAML files (issue #15), the strings now their enums: the files must
    /// give exactly these values, key by key, or a run's figures would move.
    /// </summary>
    private static TrainingConfig CSharpPreset(string name) => name switch
    {
        "offline-tiny" => new TrainingConfig
        {
            Preset = name,
            World = new WorldSection { Size = WorldSize.Small, Seed = 42 },
            Model = new ModelSection { VocabSize = 8192, TokenizerWorldNames = true, TokenizerSplit = TokenizerSplit.StableNames, HiddenSize = 128, NumLayers = 4, NumHeads = 4, NumKvHeads = 2, IntermediateSize = 352 },
            Data = new DataSection { TrainBatchSize = 8, EvalQuestions = 200, MaxTurns = 8, MaxResponseLength = 128, MaxModelLen = 4096 },
            Rollout = new RolloutSection { N = 16, Temperature = 0.6f, ToolTimeout = 10 },
            Actor = new ActorSection { Lr = 2e-4, KlCoef = 0.001, EntropyCoeff = 0, MicroBatchTokens = 8192, DropZeroVarianceGroups = true },
            Sft = new SftSection { PretrainSteps = 600, Steps = 2000, Lr = 2e-3, LrSchedule = LrSchedule.Cosine, BatchSize = 4, NumDemos = 4096, DemoNoise = DemoNoise.Hasty, DemoHastyRate = 0.6, SaveFreq = 500 },
            Trainer = new TrainerSection { TotalSteps = 28, SaveFreq = 8, KeepCheckpoints = 2, Seed = 1 },
        },
        "qwen2.5-0.5b" => new TrainingConfig
        {
            Preset = name,
            Model = new ModelSection { Lora = true, LoraRank = 16, LoraAlpha = 32 },
            Data = new DataSection { TrainBatchSize = 4, MaxTurns = 10, MaxResponseLength = 1024, MaxModelLen = 16384 },
            Rollout = new RolloutSection { N = 8 },
            Actor = new ActorSection { Lr = 1e-5 },
            Trainer = new TrainerSection { TotalSteps = 50, SaveFreq = 5 },
        },
        "tinker-qwen3-8b" => new TrainingConfig
        {
            Preset = name,
            Data = new DataSection { ValFiles = "data/deepresearcher_dev.jsonl", TrainBatchSize = 256, EvalQuestions = 0 },
            Rollout = new RolloutSection { ToolTimeout = 60 },
            Actor = new ActorSection { Lr = 1e-5, EntropyCoeff = 0 },
            Sft = new SftSection { DemoNoise = DemoNoise.None },
            Trainer = new TrainerSection { TotalSteps = 300, SaveFreq = 1, Backend = PolicyBackendKind.Tinker },
            Tinker = new TinkerSection { BaseModel = "Qwen/Qwen3-8B" },
            Tools = new ToolsSection { Search = "auto", Reader = "llm" },
        },
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    public static TheoryData<string> Names() => [.. TrainingPresets.Names];

    [Theory]
    [MemberData(nameof(Names))]
    public void Every_key_of_the_preset_file_has_the_value_the_CSharp_preset_had(string name)
    {
        Dictionary<string, string> expected = Flatten(TrainingConfigFile.ToJson(CSharpPreset(name)));
        Dictionary<string, string> actual = Flatten(TrainingConfigFile.ToJson(TrainingPresets.Get(name)));

        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        Assert.All(expected, pair => Assert.True(actual[pair.Key] == pair.Value, $"{name}: {pair.Key} is {actual[pair.Key]}, was {pair.Value}"));
        Assert.Equal(TrainingConfigFile.ToYaml(CSharpPreset(name)), TrainingConfigFile.ToYaml(TrainingPresets.Get(name)));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void The_preset_file_names_every_key_so_it_reads_as_the_whole_recipe(string name)
    {
        string[] printed = KeyLines(TrainingConfigFile.ToYaml(new TrainingConfig()));
        string[] written = KeyLines(TrainingPresets.Text(name));

        Assert.Equal(printed, written);
        Assert.Contains("#", TrainingPresets.Text(name), StringComparison.Ordinal);
    }

    [Fact]
    public void Printing_a_preset_without_overrides_prints_its_file_comments_and_all()
    {
        Assert.Equal(TrainingPresets.Text("offline-tiny"), TrainingPresets.Annotate(TrainingPresets.Get("offline-tiny")));
    }

    [Fact]
    public void Printing_with_overrides_shows_the_effective_values_under_the_presets_comments()
    {
        TrainingConfig config = TrainingPresets.Get("offline-tiny");
        config.Rollout.Temperature = 1.0f;
        config.Trainer.TotalSteps = 3;

        string printed = TrainingPresets.Annotate(config);

        Assert.Equal(TrainingConfigFile.ToYaml(config), string.Join('\n', printed.Split('\n').Where(l => !l.TrimStart().StartsWith('#'))));
        Assert.Contains("  # Sampled at temperature 0.6: at 1.0 a tiny model derails", printed, StringComparison.Ordinal);
        Assert.Contains("  temperature: 1\n", printed, StringComparison.Ordinal);
        Assert.Contains("  total_steps: 3\n", printed, StringComparison.Ordinal);
    }

    [Fact]
    public void The_yaml_spellings_stay_the_verl_like_strings()
    {
        TrainingConfig config = TrainingPresets.Get("offline-tiny");
        config.Actor.AdvEstimator = AdvantageEstimator.DrGrpo;
        config.Actor.LossAggMode = LossAggregation.ConstantNormalizer;
        config.Reward.MetricRules = Core.Rewards.MetricRules.UnicodePunctuation;

        string yaml = TrainingConfigFile.ToYaml(config);
        JsonObject json = TrainingConfigFile.ToJson(config);

        Assert.Contains("  adv_estimator: dr_grpo\n", yaml, StringComparison.Ordinal);
        Assert.Contains("  loss_agg_mode: constant\n", yaml, StringComparison.Ordinal);
        Assert.Contains("  tokenizer_split: stable-names\n", yaml, StringComparison.Ordinal);
        Assert.Contains("  metric_rules:\n  - unicode-punctuation\n", yaml, StringComparison.Ordinal);
        Assert.Equal("dr_grpo", json["actor"]!["adv_estimator"]!.GetValue<string>());
        Assert.Equal("hasty", json["sft"]!["demo_noise"]!.GetValue<string>());
        Assert.Equal("small", json["world"]!["size"]!.GetValue<string>());
        Assert.Equal("unicode-punctuation", json["reward"]!["metric_rules"]![0]!.GetValue<string>());
    }

    private static string[] KeyLines(string yaml) =>
        [.. yaml.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n')
            .Where(l => l.Trim().Length > 0 && !l.TrimStart().StartsWith('#') && !l.TrimStart().StartsWith('-'))
            .Select(l => l[..l.IndexOf(':', StringComparison.Ordinal)])];

    private static Dictionary<string, string> Flatten(JsonObject config)
    {
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach ((string section, JsonNode? body) in config)
        {
            if (body is JsonObject values)
            {
                foreach ((string key, JsonNode? value) in values)
                {
                    keys[$"{section}.{key}"] = value?.ToJsonString() ?? "null";
                }
            }
            else
            {
                keys[section] = body?.ToJsonString() ?? "null";
            }
        }

        return keys;
    }
}
