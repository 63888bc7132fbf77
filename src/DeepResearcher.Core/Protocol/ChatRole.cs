namespace DeepResearcher.Core.Protocol;

public enum ChatRole
{
    System,
    User,
    Assistant,
    Tool,
}
