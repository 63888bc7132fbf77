using DeepResearcher.Core.Trajectories;

namespace DeepResearcher.Web.Pages;

/// <summary>A page ready to read: its clean text cut into segments, or why it could not be had.</summary>
public sealed record PageContent(string Url, string Title, IReadOnlyList<string> Segments)
{
    public string? Error { get; init; }

    public bool Truncated { get; init; }

    /// <summary>Whether the text came from the tool cache (None when the source has no cache).</summary>
    public CacheStatus Cache { get; init; }

    public static PageContent Failed(string url, string error) => new(url, string.Empty, []) { Error = error };
}
