namespace DeepResearcher.Web.Search;

/// <summary>A search provider failed; the message names the provider and the cause, never the API key.</summary>
public sealed class SearchProviderException(string provider, SearchFailureKind kind, string message, TimeSpan? retryAfter = null, Exception? inner = null)
    : Exception($"{provider}: {message}", inner)
{
    public string Provider { get; } = provider;

    public SearchFailureKind Kind { get; } = kind;

    public TimeSpan? RetryAfter { get; } = retryAfter;

    public bool IsTransient => Kind is SearchFailureKind.RateLimited or SearchFailureKind.Unavailable or SearchFailureKind.BadResponse;
}
