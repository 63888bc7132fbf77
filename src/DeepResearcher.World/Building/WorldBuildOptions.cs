using DeepResearcher.World.Generation;

namespace DeepResearcher.World.Building;

public sealed record WorldBuildOptions
{
    /// <summary>Target directory. It is written atomically: built next to it, then renamed into place.</summary>
    public required string OutDir { get; init; }

    public ulong Seed { get; init; } = 42;
    public WorldSize Size { get; init; } = WorldSize.Small;
    public WorldShares Shares { get; init; } = new();

    /// <summary>Replace an existing world directory at <see cref="OutDir"/>. A non-empty directory that is not a world is never replaced.</summary>
    public bool Overwrite { get; init; }
}
