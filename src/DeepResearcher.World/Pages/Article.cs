namespace DeepResearcher.World.Pages;

/// <summary>The content of one page, before any site chrome is wrapped around it.</summary>
public sealed class Article
{
    public required string Title { get; init; }

    /// <summary>Short line under the title ("From Meridian, the free encyclopedia").</summary>
    public string? Tagline { get; init; }

    public List<(string Label, Inline Value)> Infobox { get; } = [];
    public List<ArticleBlock> Blocks { get; } = [];
    public List<Inline> SeeAlso { get; } = [];
}
