namespace DeepResearcher.Web.Extraction;

/// <summary>One page of a segmented text: <see cref="Text"/> equals <c>source.Substring(Start, Text.Length)</c>.</summary>
/// <param name="Index">0-based position among the segments.</param>
/// <param name="Start">Offset of the first character in the segmented text.</param>
/// <param name="Text">The segment, never empty, without leading or trailing whitespace.</param>
public sealed record PageSegment(int Index, int Start, string Text)
{
    public int Length => Text.Length;

    /// <summary>Offset just past the last character in the segmented text.</summary>
    public int End => Start + Text.Length;
}
