namespace DeepResearcher.World.Pages;

/// <summary>Which site's boilerplate surrounds a page.</summary>
public enum SiteChrome
{
    Encyclopedia,
    Mirror,
    FanWiki,
    Forum,
}
