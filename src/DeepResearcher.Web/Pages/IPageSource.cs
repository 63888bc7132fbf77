namespace DeepResearcher.Web.Pages;

/// <summary>Gets a page's segments: fetched, extracted and segmented (and cached) by the implementation.</summary>
public interface IPageSource
{
    /// <summary>Never throws for a bad page; <see cref="PageContent.Error"/> says what went wrong.</summary>
    Task<PageContent> GetAsync(string url, CancellationToken cancellationToken);
}
