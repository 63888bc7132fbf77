namespace DeepResearcher.World.Serving;

/// <summary>
/// The one origin every world's pages are named by (search results, page links, what a policy reads and writes), whatever
/// loopback port the server happens to have: a policy learns URLs as tokens, so a port in them would tie a checkpoint to
/// one run's server. No resolver knows the name; the toolbox maps it to the running server when it fetches.
/// </summary>
public static class WorldOrigin
{
    public const string Name = "http://world.local";

    public static Uri Uri { get; } = new(Name);
}
