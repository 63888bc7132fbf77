using System.Text.RegularExpressions;
using DeepResearcher.World.Generation;
using DeepResearcher.World.Pages;

namespace DeepResearcher.World.Tests;

public sealed partial class LinkTests(TinyWorld tiny)
{
    [GeneratedRegex("<article>.*</article>", RegexOptions.Singleline)]
    private static partial Regex ArticlePart();

    [GeneratedRegex("href=\"(/[^\"]*)\"")]
    private static partial Regex Href();

    /// <summary>Resolves a site path the way a browser would: follows 301s, returns the final status.</summary>
    private static int Resolve(WorldSite site, string path)
    {
        for (int hops = 0; hops < 5; hops++)
        {
            var page = site.Find(path);
            if (page is null) return 404;
            if (page.Status != 301) return page.Status;
            path = page.RedirectTo!;
        }
        return 310;
    }

    private static (int Total, int Broken, int Redirected) CountLinks(WorldSite site, PageRenderer renderer, int pages)
    {
        int total = 0, broken = 0, redirected = 0;
        foreach (var e in site.World.Entities.Take(pages))
        {
            string article = ArticlePart().Match(renderer.Html(site.Article(e.Index))).Value;
            foreach (Match m in Href().Matches(article))
            {
                string path = m.Groups[1].Value;
                total++;
                if (site.Find(path)?.Status == 301) redirected++;
                int status = Resolve(site, path);
                if (status == 404) broken++;
                else Assert.Equal(200, status);
            }
        }
        return (total, broken, redirected);
    }

    [Fact]
    public void ArticleLinksResolveExceptTheConfiguredShareOfBrokenOnes()
    {
        var (total, broken, redirected) = CountLinks(tiny.Directory.Site, tiny.Directory.Renderer, 200);
        Assert.True(total > 500);
        Assert.True(broken > 0 && broken < total * 0.1, $"{broken}/{total} broken");
        Assert.True(redirected > total * 0.05 && redirected < total * 0.3, $"{redirected}/{total} redirected");
    }

    [Fact]
    public void ZeroSharesGiveACleanWebAndFullSharesAMessyOne()
    {
        var world = WorldGenerator.Generate(11, WorldSize.Tiny, new WorldShares { BrokenLink = 0, RedirectLink = 0 });
        var site = new WorldSite(world);
        var clean = CountLinks(site, new PageRenderer(site, new WorldShares { BrokenLink = 0, RedirectLink = 0 }), 100);
        Assert.Equal(0, clean.Broken);
        Assert.Equal(0, clean.Redirected);
        var messy = CountLinks(site, new PageRenderer(site, new WorldShares { BrokenLink = 1, RedirectLink = 1 }), 100);
        Assert.True(messy.Broken > 100);
        Assert.Equal(messy.Total - messy.Broken, messy.Redirected);
    }

    [Fact]
    public void ListPagesLinkEveryEntityOnce()
    {
        var site = tiny.Directory.Site;
        var linked = new List<string>();
        foreach (var page in site.Pages.Where(p => p.Kind == SitePageKind.List))
        {
            string html = ArticlePart().Match(tiny.Directory.Renderer.Html(page)).Value;
            linked.AddRange(Href().Matches(html).Select(m => m.Groups[1].Value).Where(p => p.StartsWith("/wiki/", StringComparison.Ordinal)));
        }
        Assert.Equal(site.World.Entities.Count, linked.Count);
        Assert.Equal(linked.Count, linked.Distinct().Count());
    }
}
