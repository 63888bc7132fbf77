namespace DeepResearcher.Web.Toolbox;

public sealed record WebToolboxOptions
{
    /// <summary>Results per query shown to the model (the original: top 10).</summary>
    public int ResultsPerQuery { get; init; } = 10;

    public BrowseMode BrowseMode { get; init; } = BrowseMode.Strict;

    /// <summary>Snippets longer than this are cut at a word boundary (0 = keep them whole).</summary>
    public int MaxSnippetChars { get; init; }

    /// <summary>Hard cap on segments the reader reads per page per call.</summary>
    public int MaxSegmentsPerRead { get; init; } = 8;

    /// <summary>URLs read at once within one browse call.</summary>
    public int MaxConcurrentPages { get; init; } = 4;

    public string Region { get; init; } = "us";

    public string Language { get; init; } = "en";
}
