using DeepResearcher.Web.Search;
using WorldHit = DeepResearcher.World.Search.WorldIndexHit;
using WorldIndex = DeepResearcher.World.Search.WorldSearchIndex;

namespace DeepResearcher.Environments.World;

/// <summary>The offline world's FTS5 index as a search provider, in process (the <c>local</c> provider).</summary>
public sealed class WorldSearchProvider(WorldIndex index, Uri baseUrl) : ISearchProvider
{
    public string Name => "local";

    public Task<IReadOnlyList<SearchResult>> SearchAsync(SearchRequest request, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        IReadOnlyList<WorldHit> hits = index.Search(request.Query, request.Count);
        var results = new List<SearchResult>(hits.Count);
        for (int i = 0; i < hits.Count; i++)
        {
            results.Add(new SearchResult(hits[i].Title, new Uri(baseUrl, hits[i].Url).ToString(), hits[i].Snippet, i + 1, Name));
        }

        return Task.FromResult<IReadOnlyList<SearchResult>>(results);
    }
}
