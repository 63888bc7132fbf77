using DeepResearcher.World.Generation;

namespace DeepResearcher.World.Pages;

/// <summary>Renders any path of a <see cref="WorldSite"/> on demand, from world data alone.</summary>
public sealed class PageRenderer
{
    private readonly WorldSite _site;
    private readonly WorldShares _shares;
    private readonly ArticleComposer _composer;

    public PageRenderer(WorldSite site, WorldShares shares)
    {
        _site = site;
        _shares = shares;
        _composer = new ArticleComposer(site.World, shares);
    }

    public WorldSite Site => _site;

    public RenderedPage Render(string path)
    {
        var page = _site.Find(path);
        if (page is null) return new RenderedPage(404, HtmlPageWriter.WriteError(404, path));
        return Render(page);
    }

    public RenderedPage Render(SitePage page)
    {
        switch (page.Status)
        {
            case 301:
                return new RenderedPage(301, "", page.RedirectTo);
            case 404 or 500:
                return new RenderedPage(page.Status, HtmlPageWriter.WriteError(page.Status, page.Path));
        }
        return new RenderedPage(200, Html(page), null, page.Slow ? _shares.SlowPageDelayMs : 0);
    }

    /// <summary>The page's HTML as served with status 200 (also for mirrors that currently fail, so their indexed text exists).</summary>
    public string Html(SitePage page)
    {
        var article = Compose(page) ?? throw new InvalidOperationException($"Page {page.Path} has no content.");
        string? canonical = page.Entity >= 0 ? WorldSite.ArticlePath(_site.World[page.Entity]) : null;
        return HtmlPageWriter.Write(article, ChromeOf(page.Kind), canonical);
    }

    /// <summary>The text the search index holds for a page.</summary>
    public string IndexText(SitePage page) => ArticleText.Of(Compose(page) ?? throw new InvalidOperationException($"Page {page.Path} has no content."));

    public string TitleOf(SitePage page) => page.Kind switch
    {
        SitePageKind.Article => _site.World[page.Entity].Name,
        SitePageKind.Mirror => _site.World[page.Entity].Name + " - WikiMirror Archive",
        _ => Compose(page)?.Title ?? page.Path,
    };

    public Article? Compose(SitePage page)
    {
        var world = _site.World;
        return page.Kind switch
        {
            SitePageKind.Home => _composer.ComposeHome(),
            SitePageKind.List => _composer.ComposeList(page.ListType, page.ListPage),
            SitePageKind.Article or SitePageKind.Mirror => _composer.Compose(world[page.Entity]),
            SitePageKind.FanWiki => _composer.ComposeFanWiki(world[page.Entity]),
            SitePageKind.Forum => _composer.ComposeForum(world[page.Entity]),
            _ => null,
        };
    }

    private static SiteChrome ChromeOf(SitePageKind kind) => kind switch
    {
        SitePageKind.Mirror => SiteChrome.Mirror,
        SitePageKind.FanWiki => SiteChrome.FanWiki,
        SitePageKind.Forum => SiteChrome.Forum,
        _ => SiteChrome.Encyclopedia,
    };
}
