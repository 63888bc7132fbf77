namespace DeepResearcher.Serving.Wire;

/// <summary>A choice's delta in one chunk; <see cref="FinishReason"/> is set in the choice's last chunk.</summary>
public sealed record ChunkChoice(int Index, ChatDelta Delta)
{
    public string? FinishReason { get; init; }

    public ChatLogProbs? Logprobs { get; init; }

    public IReadOnlyList<int>? TokenIds { get; init; }

    public object? StopReason { get; init; }
}
