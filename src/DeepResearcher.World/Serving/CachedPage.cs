namespace DeepResearcher.World.Serving;

public sealed record CachedPage(int Status, byte[] Body, string? Location, int DelayMs);
