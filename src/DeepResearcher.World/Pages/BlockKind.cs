namespace DeepResearcher.World.Pages;

public enum BlockKind
{
    Heading,
    Paragraph,
    ListItem,
}
