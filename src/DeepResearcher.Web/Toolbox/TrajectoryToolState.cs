namespace DeepResearcher.Web.Toolbox;

/// <summary>
/// What the tools remember about one trajectory: the search results it saw and how far each page has been read.
/// Plain data, serialisable, so that any tool server can load it from a shared store and serve the next call.
/// </summary>
public sealed class TrajectoryToolState
{
    /// <summary>URL → the query that found it, from the latest search.</summary>
    public Dictionary<string, string> LatestResults { get; set; } = new(StringComparer.Ordinal);

    /// <summary>URL → the query that first found it, from every search so far.</summary>
    public Dictionary<string, string> AllResults { get; set; } = new(StringComparer.Ordinal);

    public Dictionary<string, PageProgress> Pages { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>How far a page has been read, and what was found on it.</summary>
public sealed class PageProgress
{
    public string Query { get; set; } = string.Empty;

    public int NextSegment { get; set; }

    public bool ReachedEnd { get; set; }

    public List<FoundInformation> Findings { get; set; } = [];
}

public sealed record FoundInformation(int PageNumber, string Summary);
