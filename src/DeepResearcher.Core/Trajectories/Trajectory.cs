using System.Text;

namespace DeepResearcher.Core.Trajectories;

/// <summary>
/// One research episode: the exact model context as segments with masks, the turns with their tool calls, how it
/// ended and the final answer. Serialises to one JSONL line (<see cref="TrajectoryJson"/>).
/// </summary>
public sealed class Trajectory
{
    public required string Id { get; init; }

    public required string Question { get; init; }

    /// <summary>The dataset id of the question, when it came from a dataset.</summary>
    public string? QuestionId { get; init; }

    public string Model { get; set; } = string.Empty;

    public string Template { get; set; } = string.Empty;

    public DateTimeOffset StartedAt { get; init; } = DateTimeOffset.UtcNow;

    public double ElapsedMs { get; set; }

    public List<TrajectorySegment> Segments { get; init; } = [];

    public List<TurnRecord> Turns { get; init; } = [];

    public TerminationReason Termination { get; set; }

    /// <summary>Why the trajectory ended, in words (the protocol error, the failing tool, the limit reached).</summary>
    public string? TerminationDetail { get; set; }

    public string? FinalAnswer { get; set; }

    public TokenUsage Usage { get; set; } = TokenUsage.Zero;

    /// <summary>Free-form labels (dataset source, rollout group, seed…).</summary>
    public Dictionary<string, string> Tags { get; init; } = [];

    /// <summary>The whole context as text.</summary>
    public string Text()
    {
        var sb = new StringBuilder();
        foreach (TrajectorySegment segment in Segments)
        {
            sb.Append(segment.Text);
        }

        return sb.ToString();
    }

    /// <summary>
    /// Everything the policy wrote, turn by turn, each turn with its prefill: the text the format reward checks.
    /// Tool output is excluded, so tags inside fetched pages cannot unbalance it (the original's bug).
    /// </summary>
    public string PolicyText()
    {
        var sb = new StringBuilder();
        foreach (TurnRecord turn in Turns)
        {
            sb.Append(turn.Prefill).Append(turn.Generated).Append('\n');
        }

        return sb.ToString();
    }

    /// <summary>All token ids in order; throws when some segment was never tokenised.</summary>
    public int[] TokenIds()
    {
        var ids = new List<int>();
        foreach (TrajectorySegment segment in Segments)
        {
            ids.AddRange(segment.TokenIds ?? throw new InvalidOperationException($"Trajectory {Id}: a {segment.Kind} segment of turn {segment.Turn} has no token ids (the model was not token-level)."));
        }

        return [.. ids];
    }

    /// <summary>The loss mask aligned with <see cref="TokenIds"/>: 1 exactly on policy-generated tokens.</summary>
    public byte[] LossMask()
    {
        var mask = new List<byte>();
        foreach (TrajectorySegment segment in Segments)
        {
            int count = segment.TokenIds?.Length ?? throw new InvalidOperationException($"Trajectory {Id}: a {segment.Kind} segment has no token ids.");
            for (int i = 0; i < count; i++)
            {
                mask.Add(segment.Mask);
            }
        }

        return [.. mask];
    }

    public int ToolCallCount(string? name = null)
        => Turns.Count(t => t.ToolCall is not null && (name is null || t.ToolCall.Name == name));
}
