using DeepResearcher.Core.Protocol;

namespace DeepResearcher.Core.Agent;

/// <summary>
/// One turn to generate. Chat APIs read <see cref="Messages"/> (system content with the tools block folded in, tool
/// responses as user messages, so any server-side template yields the same text); token-level models read
/// <see cref="ContextTokenIds"/>, the exact context.
/// </summary>
public sealed record GenerationRequest
{
    public required IReadOnlyList<ChatMessage> Messages { get; init; }

    /// <summary>Text the assistant turn starts with (e.g. <c>&lt;think&gt;</c>); empty when the model does not support prefill.</summary>
    public string Prefill { get; init; } = string.Empty;

    public required SamplingOptions Sampling { get; init; }

    /// <summary>The exact token context, for models that implement <see cref="ITokenLevelChatModel"/>.</summary>
    public IReadOnlyList<int>? ContextTokenIds { get; init; }

    public string TrajectoryId { get; init; } = string.Empty;
}
