using DeepResearcher.Core.Agent;
using DeepResearcher.Training.Grpo;

namespace DeepResearcher.Training.Rollouts;

public sealed record RolloutOptions
{
    /// <summary>Rollouts per question (GRPO's G).</summary>
    public int GroupSize { get; init; } = 16;

    /// <summary>Episodes in flight at once; the batched sampler groups their turns, tool calls overlap.</summary>
    public int MaxConcurrentEpisodes { get; init; } = 64;

    public required ResearchAgentOptions Agent { get; init; }

    public AdvantageNormalization Normalization { get; init; } = AdvantageNormalization.MeanStd;
}
