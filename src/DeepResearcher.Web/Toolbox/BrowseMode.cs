namespace DeepResearcher.Web.Toolbox;

/// <summary>Which URLs <c>browse_webpage</c> accepts.</summary>
public enum BrowseMode
{
    /// <summary>Only URLs from the trajectory's latest search (the original's rule, stated instead of silently ignored).</summary>
    Strict,

    /// <summary>URLs from any search of the trajectory so far.</summary>
    Lenient,

    /// <summary>Any http(s) URL (still behind the fetcher's SSRF guard).</summary>
    Any,
}
