namespace DeepResearcher.Web.Reading;

/// <summary>One reading of one page: where to start, what to look for, and what is already known.</summary>
public sealed record PageReadRequest
{
    public required string MainQuestion { get; init; }

    /// <summary>The search query that produced this URL (the original's sub-question).</summary>
    public required string SubQuestion { get; init; }

    public required string Url { get; init; }

    public required IReadOnlyList<string> Segments { get; init; }

    /// <summary>0-based segment to start at: re-browsing a page resumes where reading stopped.</summary>
    public int StartSegment { get; init; }

    /// <summary>What was already found for this query (the original's context_so_far).</summary>
    public string Memory { get; init; } = string.Empty;

    /// <summary>Hard cap on segments read in one call, because a reader that always pages down would never stop.</summary>
    public int MaxSegments { get; init; } = 8;
}
