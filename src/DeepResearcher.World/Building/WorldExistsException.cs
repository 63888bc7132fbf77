namespace DeepResearcher.World.Building;

/// <summary>The output directory already holds a world and the build was not asked to replace it.</summary>
public sealed class WorldExistsException(string directory)
    : IOException($"World directory '{directory}' already exists. Delete it or build with overwrite enabled.")
{
    public string Directory { get; } = directory;
}
