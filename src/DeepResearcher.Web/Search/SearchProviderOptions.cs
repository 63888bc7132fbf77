namespace DeepResearcher.Web.Search;

/// <summary>
/// Where and how a search adapter reaches its provider. The key is read by the caller (usually from an environment variable,
/// see docs/search-providers.md) and is never printed: <see cref="ToString"/> hides it.
/// </summary>
public sealed class SearchProviderOptions
{
    /// <summary>The provider's base URL; <c>null</c> means its public endpoint (SearXNG has none and requires one).</summary>
    public Uri? BaseUrl { get; init; }

    /// <summary>The API key, or <c>null</c> for keyless providers (SearXNG).</summary>
    public string? ApiKey { get; init; }

    /// <summary>How long one HTTP exchange may take before it counts as <see cref="SearchFailureKind.Unavailable"/>.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>The clock used to turn an HTTP-date <c>Retry-After</c> into a delay.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    public override string ToString() =>
        $"BaseUrl = {BaseUrl?.ToString() ?? "(default)"}, ApiKey = {(string.IsNullOrEmpty(ApiKey) ? "(none)" : "(set)")}, Timeout = {Timeout}";
}
