using DeepResearcher.Core.Protocol.Observations;

namespace DeepResearcher.Web.Reading;

/// <summary>What one reading found, and where it stopped.</summary>
public sealed record PageReading(IReadOnlyList<PageInformation> Findings, int NextSegment, int SegmentsRead)
{
    /// <summary>Every segment of the page has been read.</summary>
    public bool ReachedEnd { get; init; }

    /// <summary>Set when the reader fell back or partly failed (e.g. the reader LLM was unreachable).</summary>
    public string? Note { get; init; }
}
