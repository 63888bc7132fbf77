namespace DeepResearcher.Web.Search;

/// <summary>
/// A web search backend. Failures throw <see cref="SearchProviderException"/> saying what kind of failure it was, so
/// the failover chain can tell an outage (try the next provider) from a bad key (stop and say so).
/// </summary>
public interface ISearchProvider
{
    /// <summary>Short name: <c>serper</c>, <c>brave</c>, <c>searxng</c>, <c>google</c>, <c>tavily</c>, <c>local</c>.</summary>
    string Name { get; }

    Task<IReadOnlyList<SearchResult>> SearchAsync(SearchRequest request, CancellationToken cancellationToken);
}
