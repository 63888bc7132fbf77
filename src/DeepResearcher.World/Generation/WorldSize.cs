namespace DeepResearcher.World.Generation;

public enum WorldSize
{
    /// <summary>About 200 entities: unit tests.</summary>
    Tiny,

    /// <summary>About 2,000 entities: the main training job.</summary>
    Small,

    /// <summary>About 10,000 entities.</summary>
    Default,

    /// <summary>About 100,000 entities: scale tests.</summary>
    Large,
}
