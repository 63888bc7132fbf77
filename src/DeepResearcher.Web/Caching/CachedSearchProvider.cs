using System.Collections.Concurrent;
using DeepResearcher.Core.Trajectories;
using DeepResearcher.Web.Search;

namespace DeepResearcher.Web.Caching;

/// <summary>
/// Serves repeated searches from an <see cref="IToolCache"/> and collapses concurrent identical searches into one upstream call
/// (single-flight): a batch of rollouts asking the same question costs one paid query, not one per rollout. Only non-empty
/// answers are stored; empty answers and failures are passed through and asked again next time.
/// </summary>
/// <remarks>
/// The shared upstream call does not observe any one caller's cancellation (the others still want the answer); each caller stops
/// waiting when its own token fires, and the call itself is bounded by the wrapped provider's timeout and by <see cref="Dispose"/>.
/// </remarks>
public sealed class CachedSearchProvider : ISearchProvider, IDisposable
{
    private readonly ISearchProvider _inner;
    private readonly IToolCache _cache;
    private readonly CachedSearchOptions _options;
    private readonly string _keyNamespace;
    private readonly ConcurrentDictionary<string, Lazy<Task<IReadOnlyList<SearchResult>>>> _inFlight = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _lifetime = new();

    private long _hits;
    private long _misses;
    private long _coalesced;
    private long _stores;
    private long _emptyNotStored;
    private long _upstreamFailures;
    private long _cacheErrors;

    public CachedSearchProvider(ISearchProvider inner, IToolCache cache, CachedSearchOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(cache);
        _inner = inner;
        _cache = cache;
        _options = options ?? new CachedSearchOptions();
        if (_options.TimeToLive <= TimeSpan.Zero)
        {
            throw new ArgumentException($"cache for {inner.Name}: CachedSearchOptions.TimeToLive must be positive (got {_options.TimeToLive})", nameof(options));
        }

        _keyNamespace = string.IsNullOrWhiteSpace(_options.KeyNamespace) ? inner.Name : _options.KeyNamespace;
    }

    public string Name => _inner.Name;

    public SearchCacheStatistics Statistics => new(
        Interlocked.Read(ref _hits),
        Interlocked.Read(ref _misses),
        Interlocked.Read(ref _coalesced),
        Interlocked.Read(ref _stores),
        Interlocked.Read(ref _emptyNotStored),
        Interlocked.Read(ref _upstreamFailures),
        Interlocked.Read(ref _cacheErrors));

    public async Task<IReadOnlyList<SearchResult>> SearchAsync(SearchRequest request, CancellationToken cancellationToken)
        => (await SearchWithCacheStatusAsync(request, cancellationToken).ConfigureAwait(false)).Results;

    /// <summary>The results and whether this caller's lookup found them in the cache (a joined or new upstream flight is a miss).</summary>
    public async Task<(IReadOnlyList<SearchResult> Results, CacheStatus Cache)> SearchWithCacheStatusAsync(SearchRequest request, CancellationToken cancellationToken)
    {
        SearchRequestValidation.Validate(Name, request);
        string key = SearchCacheKey.For(_keyNamespace, request);
        IReadOnlyList<SearchResult>? cached = await ReadAsync(key, cancellationToken).ConfigureAwait(false);
        if (cached is not null)
        {
            Interlocked.Increment(ref _hits);
            return (cached, CacheStatus.Hit);
        }

        Lazy<Task<IReadOnlyList<SearchResult>>>? flight = null;
        flight = new Lazy<Task<IReadOnlyList<SearchResult>>>(() => FlyAsync(key, request, flight!), LazyThreadSafetyMode.ExecutionAndPublication);
        Lazy<Task<IReadOnlyList<SearchResult>>> joined = _inFlight.GetOrAdd(key, flight);
        if (!ReferenceEquals(joined, flight))
        {
            Interlocked.Increment(ref _coalesced);
        }

        return (await joined.Value.WaitAsync(cancellationToken).ConfigureAwait(false), CacheStatus.Miss);
    }

    public void Dispose()
    {
        _lifetime.Cancel();
        _lifetime.Dispose();
    }

    private async Task<IReadOnlyList<SearchResult>> FlyAsync(string key, SearchRequest request, Lazy<Task<IReadOnlyList<SearchResult>>> flight)
    {
        // Leave Lazy's factory at once: SQLite does its I/O synchronously, and joiners must wait on the task, not on Lazy's lock.
        await Task.Yield();
        try
        {
            // An identical flight may have landed between this caller's cache read and its GetOrAdd.
            IReadOnlyList<SearchResult>? landed = await ReadAsync(key, _lifetime.Token).ConfigureAwait(false);
            if (landed is not null)
            {
                Interlocked.Increment(ref _hits);
                return landed;
            }

            Interlocked.Increment(ref _misses);
            IReadOnlyList<SearchResult> results;
            try
            {
                results = await _inner.SearchAsync(request, _lifetime.Token).ConfigureAwait(false);
            }
            catch
            {
                Interlocked.Increment(ref _upstreamFailures);
                throw;
            }

            if (results.Count == 0)
            {
                Interlocked.Increment(ref _emptyNotStored);
                return results;
            }

            await WriteAsync(key, results).ConfigureAwait(false);
            return results;
        }
        finally
        {
            _inFlight.TryRemove(KeyValuePair.Create(key, flight));
        }
    }

    private async Task<IReadOnlyList<SearchResult>?> ReadAsync(string key, CancellationToken cancellationToken)
    {
        string? stored;
        try
        {
            stored = await _cache.GetAsync(key, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            CacheFailed(ex);
            return null;
        }

        if (stored is null)
        {
            return null;
        }

        SearchResult[]? results = SearchResultsJson.Deserialize(stored);
        if (results is null)
        {
            CacheFailed(new InvalidDataException($"cache for {Name}: the entry '{key}' is not a stored search answer; it will be replaced"));
        }

        return results;
    }

    private async Task WriteAsync(string key, IReadOnlyList<SearchResult> results)
    {
        try
        {
            await _cache.SetAsync(key, SearchResultsJson.Serialize(results), _options.TimeToLive, _lifetime.Token).ConfigureAwait(false);
            Interlocked.Increment(ref _stores);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            CacheFailed(ex);
        }
    }

    private void CacheFailed(Exception ex)
    {
        Interlocked.Increment(ref _cacheErrors);
        _options.CacheErrorObserved?.Invoke(ex);
    }
}
