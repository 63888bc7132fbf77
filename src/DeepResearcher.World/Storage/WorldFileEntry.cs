namespace DeepResearcher.World.Storage;

/// <summary>A file of a world directory as recorded in the manifest: relative path (forward slashes), size and SHA-256 (hex).</summary>
public sealed record WorldFileEntry(string Path, long Bytes, string Sha256);
