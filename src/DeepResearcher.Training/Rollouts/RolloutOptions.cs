using DeepResearcher.Core.Agent;
using DeepResearcher.Training.Grpo;
using DeepResearcher.Training.Rewards;

namespace DeepResearcher.Training.Rollouts;

public sealed record RolloutOptions
{
    /// <summary>Rollouts per question (GRPO's G).</summary>
    public int GroupSize { get; init; } = 16;

    /// <summary>Episodes in flight at once; the batched sampler groups their turns, tool calls overlap.</summary>
    public int MaxConcurrentEpisodes { get; init; } = 64;

    public required ResearchAgentOptions Agent { get; init; }

    public AdvantageNormalization Normalization { get; init; } = AdvantageNormalization.MeanStd;

    /// <summary>The reward; the original's set-F1 with the −1 format penalty by default.</summary>
    public IRolloutReward Reward { get; init; } = new SetF1Reward();
}
