namespace DeepResearcher.World.Pages;

public sealed record ArticleBlock(BlockKind Kind, IReadOnlyList<Inline> Inlines)
{
    public static ArticleBlock Heading(string text) => new(BlockKind.Heading, [new Inline(text)]);

    public static ArticleBlock Paragraph(string text) => new(BlockKind.Paragraph, [new Inline(text)]);
}
