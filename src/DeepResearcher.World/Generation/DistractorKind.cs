namespace DeepResearcher.World.Generation;

public enum DistractorKind
{
    FanWiki,
    ForumPost,
}
