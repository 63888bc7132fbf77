namespace DeepResearcher.Training.Configuration;

/// <summary>Named starting points; a config file or command-line options override them.</summary>
public static class TrainingPresets
{
    public static IReadOnlyList<string> Names { get; } = ["offline-tiny", "qwen2.5-0.5b"];

    public static TrainingConfig Get(string name) => name switch
    {
        // A few-million-parameter model trained from scratch in a small offline world, on 2 CPU cores.
        "offline-tiny" => new TrainingConfig
        {
            Preset = name,
            World = new WorldSection { Size = "small", Seed = 42 },
            // Names as whole tokens (tokenizer_world_names) shorten sequences and made SFT reach 9.5 % format errors where
            // a 2,048-token vocabulary left 27.5 %; stable-names splitting makes a name the same token after a space, a
            // quote, a slash or an underscore, so copying it is a token-for-token copy (docs/results.md).
            Model = new ModelSection { VocabSize = 8192, TokenizerWorldNames = true, TokenizerSplit = "stable-names", HiddenSize = 128, NumLayers = 4, NumHeads = 4, NumKvHeads = 2, IntermediateSize = 352 },
            Data = new DataSection { TrainBatchSize = 8, EvalQuestions = 200, MaxTurns = 8, MaxResponseLength = 128, MaxModelLen = 4096 },
            Rollout = new RolloutSection { N = 8, Temperature = 1.0f, ToolTimeout = 10 },
            // No entropy bonus: at this learning rate Adam turns the bonus of a batch whose groups all scored alike into
            // full-size steps towards the uniform distribution (seen: entropy 1.3 → 5.9 nats in 10 steps, reward flat).
            // Groups whose rollouts all scored alike are dropped: their advantages are zero, and a batch of them leaves
            // only the KL term's tiny, noisy gradient, which Adam scales up to full-size steps, a random walk away from
            // the reference (seen: KL 0.4 → 3.8 in 12 steps with every reward −1).
            Actor = new ActorSection { Lr = 3e-4, KlCoef = 0.001, EntropyCoeff = 0, MicroBatchTokens = 8192, DropZeroVarianceGroups = true },
            // Batches of 4, not 16: the same 5,600 demonstrations seen, but 1,400 optimizer steps instead of 350, and the
            // model starts copying names from the question and the tool responses into its turns (policy-token loss
            // 0.35 → 0.15, after-SFT set-F1 0.2 → 4.5 on one seed; docs/results.md). The copy circuit forms with steps.
            Sft = new SftSection { PretrainSteps = 800, Steps = 600, Lr = 2e-3, BatchSize = 4, NumDemos = 1024, DemoNoise = "none", SaveFreq = 200 },
            // 24 steps: past ~35 the policy learns to answer at once without researching (format reward without F1),
            // and KL to the reference explodes (docs/results.md).
            Trainer = new TrainerSection { TotalSteps = 24, SaveFreq = 8, KeepCheckpoints = 2, Seed = 1 },
        },
        // The original's recipe on a real checkpoint, with LoRA to fit a CPU's memory.
        "qwen2.5-0.5b" => new TrainingConfig
        {
            Preset = name,
            Model = new ModelSection { Lora = true, LoraRank = 16, LoraAlpha = 32 },
            Data = new DataSection { TrainBatchSize = 4, MaxTurns = 10, MaxResponseLength = 1024, MaxModelLen = 16384 },
            Rollout = new RolloutSection { N = 8 },
            Actor = new ActorSection { Lr = 1e-5 },
            Trainer = new TrainerSection { TotalSteps = 50, SaveFreq = 5 },
        },
        _ => throw new ConfigException($"unknown preset '{name}'; presets: {string.Join(", ", Names)}"),
    };
}
