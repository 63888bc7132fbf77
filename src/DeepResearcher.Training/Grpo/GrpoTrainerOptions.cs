using DeepResearcher.Training.Backends;

namespace DeepResearcher.Training.Grpo;

public sealed record GrpoTrainerOptions
{
    /// <summary>The optimizer settings of every update; the learning rate is replaced by each step's.</summary>
    public AdamParams Adam { get; init; } = new();

    public GrpoLossOptions Loss { get; init; } = new();

    /// <summary>Passes over the rollout batch; with more than one, the old log-probs matter (the ratio moves off 1).</summary>
    public int PpoEpochs { get; init; } = 1;

    /// <summary>Sequences per optimizer step; 0 = the whole batch (one update per step, as the original).</summary>
    public int MiniBatchSize { get; init; }

    /// <summary>Skip groups whose rollouts all earned the same reward: their advantages are zero.</summary>
    public bool DropZeroVarianceGroups { get; init; }

    /// <summary>
    /// Recompute log π_old with a forward pass, as verl does, instead of using the sampler's log-probabilities (which
    /// are exact when sampler and trainer share weights and precision).
    /// </summary>
    public bool RecomputeOldLogProbs { get; init; }
}
