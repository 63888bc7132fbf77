using System.Collections.Concurrent;
using System.Text;
using DeepResearcher.World.Pages;

namespace DeepResearcher.World.Serving;

/// <summary>Rendered pages as UTF-8, kept until a byte budget is spent; past it, pages are rendered per request.</summary>
public sealed class PageCache
{
    private readonly PageRenderer _renderer;
    private readonly ConcurrentDictionary<string, CachedPage> _pages = new(StringComparer.Ordinal);
    private readonly long _budgetBytes;
    private long _usedBytes;

    public PageCache(PageRenderer renderer, long budgetBytes = 256L << 20)
    {
        _renderer = renderer;
        _budgetBytes = budgetBytes;
    }

    public CachedPage Get(string path)
    {
        if (_pages.TryGetValue(path, out var hit)) return hit;
        var page = _renderer.Site.Find(path);
        // Unknown paths are not cached: anyone can invent infinitely many of them.
        if (page is null) return ToCached(_renderer.Render(path));
        var cached = ToCached(_renderer.Render(page));
        if (Interlocked.Read(ref _usedBytes) + cached.Body.Length <= _budgetBytes && _pages.TryAdd(path, cached))
        {
            Interlocked.Add(ref _usedBytes, cached.Body.Length);
        }
        return cached;
    }

    private static CachedPage ToCached(RenderedPage page) => new(page.Status, Encoding.UTF8.GetBytes(page.Html), page.Location, page.DelayMs);
}
