namespace DeepResearcher.Web.Caching;

/// <summary>
/// The cache key of a fetched page: <c>page:v1:</c> plus the URL without its fragment (the server never sees it), with the scheme
/// and host lower-cased and a default port dropped. Path and query keep their case: servers may treat them case-sensitively.
/// </summary>
public static class PageCacheKey
{
    public const string Prefix = "page:v1:";

    public static string For(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!url.IsAbsoluteUri)
        {
            throw new ArgumentException($"page cache key: '{url}' is not an absolute URL", nameof(url));
        }

        return Prefix + url.GetComponents(UriComponents.HttpRequestUrl, UriFormat.UriEscaped);
    }
}
