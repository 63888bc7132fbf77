using DeepResearcher.World.Generation;

namespace DeepResearcher.World.Pages;

/// <summary>
/// One URL of the site. <see cref="Entity"/> is the entity index the page is about (-1 for home and lists);
/// <see cref="Status"/> is the HTTP status it answers with.
/// </summary>
public sealed record SitePage(string Path, SitePageKind Kind, int Entity, int Status)
{
    public string? RedirectTo { get; init; }
    public bool Slow { get; init; }
    public EntityType ListType { get; init; }

    /// <summary>1-based page number of a list page.</summary>
    public int ListPage { get; init; }

    /// <summary>Whether the search index holds this page (articles, mirrors, fan-wiki and forum pages).</summary>
    public bool Indexed => Kind is SitePageKind.Article or SitePageKind.Mirror or SitePageKind.FanWiki or SitePageKind.Forum;
}
