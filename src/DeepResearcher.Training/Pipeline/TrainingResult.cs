namespace DeepResearcher.Training.Pipeline;

/// <summary>What a training run achieved: the evaluation after SFT (before GRPO) and after GRPO, and where it wrote.</summary>
public sealed record TrainingResult(PolicyEvaluation Initial, PolicyEvaluation AfterSft, PolicyEvaluation AfterGrpo, double FirstStepReward, double LastStepReward, string RunDirectory, string CheckpointDirectory)
{
    /// <summary>The sampled evaluation after SFT (rollout.val_n &gt; 0), else null.</summary>
    public PolicyEvaluation? SampledAfterSft { get; init; }

    /// <summary>The sampled evaluation after GRPO (rollout.val_n &gt; 0), else null.</summary>
    public PolicyEvaluation? SampledAfterGrpo { get; init; }
}
