using DeepResearcher.Web.Search;

namespace DeepResearcher.Web.Tests.Fakes;

/// <summary>An in-memory <see cref="ISearchProvider"/> whose answers are scripted per call; it counts the calls it receives.</summary>
public sealed class FakeSearchProvider(string name, Func<SearchRequest, int, CancellationToken, Task<IReadOnlyList<SearchResult>>> answer) : ISearchProvider
{
    private int _calls;

    public string Name { get; } = name;

    public int Calls => Volatile.Read(ref _calls);

    public static FakeSearchProvider Returning(string name, int count = 3) =>
        new(name, (request, _, _) => Task.FromResult(Hits(name, request.Query, count)));

    public static FakeSearchProvider Failing(string name, SearchFailureKind kind, TimeSpan? retryAfter = null) =>
        new(name, (_, call, _) => throw new SearchProviderException(name, kind, $"scripted {kind} #{call}", retryAfter));

    /// <summary>Fails with <paramref name="kind"/> for the first <paramref name="failures"/> calls, then answers.</summary>
    public static FakeSearchProvider FailingFirst(string name, int failures, SearchFailureKind kind, TimeSpan? retryAfter = null) =>
        new(name, (request, call, _) => call <= failures
            ? throw new SearchProviderException(name, kind, $"scripted {kind} #{call}", retryAfter)
            : Task.FromResult(Hits(name, request.Query, 3)));

    public static IReadOnlyList<SearchResult> Hits(string provider, string query, int count)
    {
        var hits = new SearchResult[count];
        for (int i = 0; i < count; i++)
        {
            hits[i] = new SearchResult($"{query} result {i + 1}", $"https://{provider}.example/{i + 1}", $"about {query}", i + 1, provider);
        }

        return hits;
    }

    public Task<IReadOnlyList<SearchResult>> SearchAsync(SearchRequest request, CancellationToken cancellationToken)
    {
        int call = Interlocked.Increment(ref _calls);
        return answer(request, call, cancellationToken);
    }
}
