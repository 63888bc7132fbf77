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
            Model = new ModelSection { VocabSize = 2048, HiddenSize = 128, NumLayers = 4, NumHeads = 4, NumKvHeads = 2, IntermediateSize = 352 },
            Data = new DataSection { TrainBatchSize = 8, EvalQuestions = 200, MaxTurns = 8, MaxResponseLength = 96, MaxModelLen = 4096 },
            Rollout = new RolloutSection { N = 8, Temperature = 1.0f, ToolTimeout = 10 },
            Actor = new ActorSection { Lr = 3e-4, KlCoef = 0.001, EntropyCoeff = 0.001, MicroBatchTokens = 8192 },
            Sft = new SftSection { Steps = 300, Lr = 2e-3, BatchSize = 16 },
            Trainer = new TrainerSection { TotalSteps = 40, SaveFreq = 10, KeepCheckpoints = 2, Seed = 1 },
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
