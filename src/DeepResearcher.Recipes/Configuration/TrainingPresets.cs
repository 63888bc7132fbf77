namespace DeepResearcher.Recipes.Configuration;

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
            // 16 rollouts per question as in the original; sampled at temperature 0.6: at 1.0 a tiny model derails (a wrong
            // name token sampled from the long tail) so often that the rollouts' F1 is half the greedy policy's, and GRPO
            // learns from accidents (seen: greedy set-F1 35.8 → 26.6 in 24 steps; docs/results.md).
            Rollout = new RolloutSection { N = 16, Temperature = 0.6f, ToolTimeout = 10 },
            // No entropy bonus: at this learning rate Adam turns the bonus of a batch whose groups all scored alike into
            // full-size steps towards the uniform distribution (seen: entropy 1.3 → 5.9 nats in 10 steps, reward flat).
            // Groups whose rollouts all scored alike are dropped: their advantages are zero, and a batch of them leaves
            // only the KL term's tiny, noisy gradient, which Adam scales up to full-size steps, a random walk away from
            // the reference (seen: KL 0.4 → 3.8 in 12 steps with every reward −1).
            Actor = new ActorSection { Lr = 2e-4, KlCoef = 0.001, EntropyCoeff = 0, MicroBatchTokens = 8192, DropZeroVarianceGroups = true },
            // Batches of 4 (the copy behaviour forms with optimizer steps), 4,096 demonstrated questions instead of 1,024
            // (over 2,600 steps, ten epochs of them) and a cosine decay: together they took the after-SFT set-F1 of the same
            // 2,600 steps from 12.2 to 35.8 on seed 1; the two changes were not measured apart (docs/results.md).
            // The demonstrator is hasty: the protocol is exact, but 60 % of its demonstrations answer the last step from the
            // search snippets without reading the page. The warm start teaches the protocol; when to read is left for GRPO
            // to learn from the reward. With a flawless demonstrator SFT leaves GRPO nothing that 2,000–4,000 episodes can
            // find (three seeds: +0.2 set-F1); see docs/results.md for both.
            Sft = new SftSection { PretrainSteps = 600, Steps = 2000, Lr = 2e-3, LrSchedule = "cosine", BatchSize = 4, NumDemos = 4096, DemoNoise = "hasty", DemoHastyRate = 0.6, SaveFreq = 500 },
            // 28 steps of 128 rollouts (≈ 10–14 s each) after the 2,600-step warm start (≈ 7.5 min): a margin under the
            // 15-minute budget.
            Trainer = new TrainerSection { TotalSteps = 28, SaveFreq = 8, KeepCheckpoints = 2, Seed = 1 },
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
