using System.Text.Json.Serialization;

namespace DeepResearcher.Core.Trajectories;

/// <summary>
/// A run of the model's context. Token ids are stored as the model saw or generated them, never re-tokenised from
/// <see cref="Text"/>, which is what makes the loss mask exact.
/// </summary>
public sealed class TrajectorySegment
{
    public required SegmentKind Kind { get; init; }

    public required string Text { get; init; }

    /// <summary>The turn this segment belongs to (0 = the opening prompt).</summary>
    public int Turn { get; init; }

    /// <summary>Token ids, when a tokenizer is involved (token-level models); null for chat APIs.</summary>
    public int[]? TokenIds { get; set; }

    /// <summary>Log-probabilities of policy tokens under the sampling policy, aligned with <see cref="TokenIds"/>.</summary>
    public float[]? LogProbs { get; set; }

    /// <summary>1 for tokens the policy generated, 0 for prompt, template and tool-output tokens.</summary>
    [JsonIgnore]
    public byte Mask => Kind == SegmentKind.Policy ? (byte)1 : (byte)0;
}
