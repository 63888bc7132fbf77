namespace DeepResearcher.Web.Pages;

/// <summary>
/// Renders a page in a browser and returns its DOM after scripts ran, for pages whose HTML holds no text until
/// JavaScript builds it. Optional and off by default: a headless browser is slow and heavy.
/// </summary>
public interface IJavaScriptRenderer
{
    /// <returns>The rendered HTML, or null when the page could not be rendered (the caller keeps what it had).</returns>
    Task<string?> RenderAsync(Uri url, CancellationToken cancellationToken);
}
