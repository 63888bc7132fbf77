using System.Text.Json;
using DeepResearcher.World.Generation;
using DeepResearcher.World.Statistics;

namespace DeepResearcher.World.Storage;

/// <summary>
/// manifest.json of a world directory: how it was built, what it contains, and a SHA-256 per file plus a content hash over all
/// files in path order. Holds nothing time-dependent, so the same seed and size give a byte-identical manifest.
/// </summary>
public sealed record WorldManifest
{
    public const string FormatName = "deepresearcher-world";
    public const int CurrentFormatVersion = 1;
    public const string CurrentGeneratorVersion = "1.0.0";
    public const string FileName = "manifest.json";

    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
    };

    public string Format { get; init; } = FormatName;
    public int FormatVersion { get; init; } = CurrentFormatVersion;
    public string GeneratorVersion { get; init; } = CurrentGeneratorVersion;
    public required ulong Seed { get; init; }
    public required string Size { get; init; }
    public required WorldShares Shares { get; init; }
    public required WorldStatistics Statistics { get; init; }
    public required IReadOnlyList<WorldFileEntry> Files { get; init; }
    public required string ContentHash { get; init; }

    public byte[] ToUtf8Json() => JsonSerializer.SerializeToUtf8Bytes(this, JsonOptions);

    /// <summary>Parses a manifest; throws <see cref="InvalidWorldDirectoryException"/> naming <paramref name="sourceName"/> when it is malformed.</summary>
    public static WorldManifest Parse(ReadOnlySpan<byte> utf8, string sourceName)
    {
        WorldManifest? m;
        try
        {
            m = JsonSerializer.Deserialize<WorldManifest>(utf8, JsonOptions);
        }
        catch (JsonException ex)
        {
            throw new InvalidWorldDirectoryException($"{sourceName} is corrupted or not a world manifest ({ex.Message}). Rebuild the world with 'deepresearcher world build'.", ex);
        }
        if (m is null || m.Format != FormatName)
            throw new InvalidWorldDirectoryException($"{sourceName} is not a world manifest (expected \"format\": \"{FormatName}\"). Rebuild the world with 'deepresearcher world build'.");
        if (m.FormatVersion != CurrentFormatVersion)
            throw new InvalidWorldDirectoryException($"{sourceName} has format_version {m.FormatVersion}, but this build reads version {CurrentFormatVersion}. Rebuild the world with 'deepresearcher world build'.");
        return m;
    }
}
