namespace DeepResearcher.Core.Trajectories;

/// <summary>Token counts reported by the model over a trajectory.</summary>
public sealed record TokenUsage(long PromptTokens, long CompletionTokens, int ModelCalls)
{
    public static TokenUsage Zero { get; } = new(0, 0, 0);

    public TokenUsage Add(long prompt, long completion) => new(PromptTokens + prompt, CompletionTokens + completion, ModelCalls + 1);
}
