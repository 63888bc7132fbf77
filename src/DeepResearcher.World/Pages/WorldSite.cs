using System.Globalization;
using DeepResearcher.World.Generation;

namespace DeepResearcher.World.Pages;

/// <summary>Every URL path of the world's web site and what answers there. Paths not listed are 404.</summary>
public sealed class WorldSite
{
    public const int ListPageSize = 200;

    private readonly Dictionary<string, SitePage> _byPath = new(StringComparer.Ordinal);
    private readonly List<SitePage> _pages = [];
    private readonly SitePage?[] _articles;
    private readonly SitePage?[] _mirrors;
    private readonly SitePage?[] _distractors;

    public WorldSite(FictionalWorld world)
    {
        World = world;
        int n = world.Entities.Count;
        _articles = new SitePage?[n];
        _mirrors = new SitePage?[n];
        _distractors = new SitePage?[n];
        Add(new SitePage("/", SitePageKind.Home, -1, 200));
        foreach (var type in Enum.GetValues<EntityType>())
        {
            int count = 0;
            foreach (var e in world.Entities)
            {
                if (e.Type == type) count++;
            }
            int pages = Math.Max(1, (count + ListPageSize - 1) / ListPageSize);
            for (int p = 1; p <= pages; p++)
            {
                Add(new SitePage(ListPath(type, p), SitePageKind.List, -1, 200) { ListType = type, ListPage = p });
            }
        }
        foreach (var e in world.Entities)
        {
            string canonical = ArticlePath(e);
            _articles[e.Index] = Add(new SitePage(canonical, SitePageKind.Article, e.Index, 200) { Slow = e.Slow });
            foreach (var alias in e.Aliases)
            {
                Add(new SitePage("/wiki/" + WorldGenerator.SlugOf(alias), SitePageKind.Redirect, e.Index, 301) { RedirectTo = canonical });
            }
            Add(new SitePage(EntityIdPath(e), SitePageKind.Redirect, e.Index, 301) { RedirectTo = canonical });
            if (e.Mirror != MirrorState.None)
            {
                int status = e.Mirror switch { MirrorState.Gone => 404, MirrorState.ServerError => 500, _ => 200 };
                _mirrors[e.Index] = Add(new SitePage("/mirror" + canonical, SitePageKind.Mirror, e.Index, status));
            }
            if (e.Distractor is { } d)
            {
                _distractors[e.Index] = d.Kind == DistractorKind.FanWiki
                    ? Add(new SitePage("/fans/" + e.Slug, SitePageKind.FanWiki, e.Index, 200))
                    : Add(new SitePage(ForumPath(e), SitePageKind.Forum, e.Index, 200));
            }
        }
    }

    public FictionalWorld World { get; }

    /// <summary>All pages in a fixed order (home, lists, then per entity).</summary>
    public IReadOnlyList<SitePage> Pages => _pages;

    public SitePage? Find(string path) => _byPath.GetValueOrDefault(path);

    public SitePage Article(int entity) => _articles[entity]!;

    public SitePage? Mirror(int entity) => _mirrors[entity];

    public SitePage? DistractorPage(int entity) => _distractors[entity];

    public static string ArticlePath(Entity e) => "/wiki/" + e.Slug;

    public static string EntityIdPath(Entity e) => "/entity/" + e.Id;

    public static string ForumPath(Entity e) =>
        "/forum/thread/" + (e.Index + 1000).ToString(CultureInfo.InvariantCulture) + "/" + e.Slug.ToLowerInvariant();

    public static string ListSegment(EntityType type) => type switch
    {
        EntityType.Country => "countries",
        EntityType.City => "cities",
        EntityType.Person => "people",
        EntityType.Organisation => "organisations",
        EntityType.Work => "works",
        EntityType.River => "rivers",
        EntityType.Mountain => "mountains",
        EntityType.Event => "events",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    public static string ListPath(EntityType type, int page) =>
        "/list/" + ListSegment(type) + (page > 1 ? "/" + page.ToString(CultureInfo.InvariantCulture) : "");

    private SitePage Add(SitePage page)
    {
        if (!_byPath.TryAdd(page.Path, page))
            throw new InvalidOperationException($"Two pages share the path '{page.Path}'; the generator should keep names and aliases unique.");
        _pages.Add(page);
        return page;
    }
}
