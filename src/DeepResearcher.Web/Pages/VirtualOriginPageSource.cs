namespace DeepResearcher.Web.Pages;

/// <summary>
/// Pages of a site named by a virtual origin (one no resolver knows, e.g. the offline world's http://world.local) and served
/// from another, the real server that holds them (a loopback port that changes run to run). A URL under the virtual origin
/// is fetched from the serving origin, and everything read back names the virtual one, so what a reader sees is the same
/// wherever the site runs. Any other URL is refused without a request: this source reads only that site.
/// </summary>
public sealed class VirtualOriginPageSource : IPageSource
{
    private readonly IPageSource _inner;
    private readonly Uri _virtual;
    private readonly Uri _serving;
    private readonly string _virtualText;
    private readonly string _servingText;

    /// <param name="inner">Fetches the real URLs (its fetcher allowlists the serving origin, and only it).</param>
    public VirtualOriginPageSource(IPageSource inner, Uri virtualOrigin, Uri servingOrigin)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
        _virtual = Origin(virtualOrigin, nameof(virtualOrigin));
        _serving = Origin(servingOrigin, nameof(servingOrigin));
        _virtualText = _virtual.GetLeftPart(UriPartial.Authority);
        _servingText = _serving.GetLeftPart(UriPartial.Authority);
    }

    public async Task<PageContent> GetAsync(string url, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) || !SameOrigin(uri, _virtual))
        {
            return PageContent.Failed(url, $"not a page of this site: only {_virtualText}/… pages can be read here");
        }

        PageContent content = await _inner.GetAsync(_servingText + uri.PathAndQuery, cancellationToken);
        return content with
        {
            Url = url,
            Title = ToVirtual(content.Title),
            Segments = content.Segments.Any(s => s.Contains(_servingText, StringComparison.OrdinalIgnoreCase)) ? [.. content.Segments.Select(ToVirtual)] : content.Segments,
            Error = content.Error is null ? null : ToVirtual(content.Error),
        };
    }

    // The serving address can surface in a fetch error ("connection refused (127.0.0.1:…)") or a page's own text.
    private string ToVirtual(string text)
        => text.Replace(_servingText, _virtualText, StringComparison.OrdinalIgnoreCase).Replace(_serving.Authority, _virtual.Authority, StringComparison.OrdinalIgnoreCase);

    private static bool SameOrigin(Uri a, Uri b)
        => string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase) && string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase) && a.Port == b.Port;

    private static Uri Origin(Uri uri, string name)
    {
        ArgumentNullException.ThrowIfNull(uri, name);
        if (!uri.IsAbsoluteUri || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"'{uri}' is not an absolute http(s) origin", name);
        }

        return new Uri(uri.GetLeftPart(UriPartial.Authority));
    }
}
