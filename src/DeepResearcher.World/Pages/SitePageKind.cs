namespace DeepResearcher.World.Pages;

public enum SitePageKind
{
    Home,
    List,
    Article,
    Mirror,
    FanWiki,
    Forum,
    Redirect,
}
