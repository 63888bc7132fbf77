namespace DeepResearcher.World.Generation;

public static class WorldSizes
{
    public static int EntityCount(WorldSize size) => size switch
    {
        WorldSize.Tiny => 200,
        WorldSize.Small => 2_000,
        WorldSize.Default => 10_000,
        WorldSize.Large => 100_000,
        _ => throw new ArgumentOutOfRangeException(nameof(size), size, "unknown world size"),
    };

    public static string Name(WorldSize size) => size.ToString().ToLowerInvariant();

    /// <summary>Parses "tiny", "small", "default" or "large" (case-insensitive).</summary>
    public static WorldSize Parse(string text)
    {
        foreach (var s in Enum.GetValues<WorldSize>())
        {
            if (string.Equals(Name(s), text?.Trim(), StringComparison.OrdinalIgnoreCase)) return s;
        }
        throw new ArgumentException($"Unknown world size '{text}'. Use one of: tiny, small, default, large.", nameof(text));
    }
}
