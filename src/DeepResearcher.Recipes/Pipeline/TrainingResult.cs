using DeepResearcher.Training.Evaluations;

namespace DeepResearcher.Recipes.Pipeline;

/// <summary>
/// What a training run achieved: the evaluation after SFT (before GRPO) and after GRPO, the mean rollout reward of the
/// first and the last <see cref="RewardWindow"/> GRPO steps, and where it wrote.
/// </summary>
public sealed record TrainingResult(PolicyEvaluation Initial, PolicyEvaluation AfterSft, PolicyEvaluation AfterGrpo, double FirstStepReward, double LastStepReward, string RunDirectory, string CheckpointDirectory)
{
    /// <summary>GRPO steps averaged in <see cref="FirstStepReward"/> and <see cref="LastStepReward"/> (a quarter of them).</summary>
    public int RewardWindow { get; init; } = 1;

    /// <summary>Wall time of this session (a resumed run's earlier sessions not included).</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>Wall time over every session of the run, resumed ones included.</summary>
    public TimeSpan ElapsedAllSessions { get; init; }

    /// <summary>The CPU the run was timed on (<see cref="Core.Machine.CpuModel"/>): a time means little without it.</summary>
    public string Cpu { get; init; } = string.Empty;

    /// <summary>The sampled evaluation after SFT (rollout.val_n &gt; 0), else null.</summary>
    public PolicyEvaluation? SampledAfterSft { get; init; }

    /// <summary>The sampled evaluation after GRPO (rollout.val_n &gt; 0), else null.</summary>
    public PolicyEvaluation? SampledAfterGrpo { get; init; }
}
