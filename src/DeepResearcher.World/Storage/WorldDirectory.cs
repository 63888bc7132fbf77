using System.Globalization;
using DeepResearcher.World.Generation;
using DeepResearcher.World.Pages;
using DeepResearcher.World.Questions;
using DeepResearcher.World.Search;
using Microsoft.Data.Sqlite;

namespace DeepResearcher.World.Storage;

/// <summary>
/// An opened, validated world directory: manifest, world data, the site (for serving) and the search index. Opening checks that
/// every file listed in the manifest exists with the recorded size and hash and that the index matches the world.
/// </summary>
public sealed class WorldDirectory : IDisposable
{
    private WorldDirectory(string root, WorldManifest manifest, FictionalWorld world, WorldSearchIndex index)
    {
        Root = root;
        Manifest = manifest;
        World = world;
        Site = new WorldSite(world);
        Renderer = new PageRenderer(Site, manifest.Shares);
        SearchIndex = index;
    }

    public string Root { get; }
    public WorldManifest Manifest { get; }
    public FictionalWorld World { get; }
    public WorldSite Site { get; }
    public PageRenderer Renderer { get; }
    public WorldSearchIndex SearchIndex { get; }

    /// <summary>Synchronous convenience over <see cref="OpenAsync"/> for command-line start-up.</summary>
    public static WorldDirectory Open(string dir, bool verifyHashes = true) =>
        OpenAsync(dir, verifyHashes, CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>
    /// Opens and validates <paramref name="dir"/>. Throws <see cref="InvalidWorldDirectoryException"/> with the offending file and the fix
    /// when the directory is missing, incomplete, corrupted or inconsistent. <paramref name="verifyHashes"/> re-hashes every file
    /// (about a second per 500 MB); without it only sizes are checked.
    /// </summary>
    public static async Task<WorldDirectory> OpenAsync(string dir, bool verifyHashes, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(dir);
        string root = Path.GetFullPath(dir);
        const string Fix = "Rebuild it with 'deepresearcher world build'.";
        if (!Directory.Exists(root)) throw new InvalidWorldDirectoryException($"World directory '{root}' does not exist. Build one with 'deepresearcher world build'.");
        string manifestPath = Path.Combine(root, WorldManifest.FileName);
        if (!File.Exists(manifestPath)) throw new InvalidWorldDirectoryException($"'{root}' is not a world directory: {WorldManifest.FileName} is missing. {Fix}");
        var manifest = WorldManifest.Parse(await File.ReadAllBytesAsync(manifestPath, ct).ConfigureAwait(false), manifestPath);
        if (manifest.GeneratorVersion != WorldManifest.CurrentGeneratorVersion)
            throw new InvalidWorldDirectoryException($"{manifestPath} was written by generator {manifest.GeneratorVersion}, but this build renders pages with generator {WorldManifest.CurrentGeneratorVersion}; pages would not match the index. {Fix}");
        try
        {
            manifest.Shares.Validate();
        }
        catch (ArgumentException ex)
        {
            throw new InvalidWorldDirectoryException($"{manifestPath}: {ex.Message} {Fix}", ex);
        }

        foreach (var required in WorldFiles.DataFiles)
        {
            bool listed = false;
            foreach (var f in manifest.Files) listed |= f.Path == required;
            if (!listed) throw new InvalidWorldDirectoryException($"{manifestPath} does not list '{required}'. {Fix}");
        }
        foreach (var entry in manifest.Files)
        {
            string full = WorldFiles.FullPath(root, entry.Path);
            if (!File.Exists(full)) throw new InvalidWorldDirectoryException($"World file '{full}' listed in the manifest is missing. {Fix}");
            long length = new FileInfo(full).Length;
            if (length != entry.Bytes)
                throw new InvalidWorldDirectoryException($"World file '{full}' has {length} bytes but the manifest records {entry.Bytes}; it was modified or truncated. {Fix}");
            if (verifyHashes)
            {
                var actual = await WorldFiles.DescribeAsync(root, entry.Path, ct).ConfigureAwait(false);
                if (actual.Sha256 != entry.Sha256)
                    throw new InvalidWorldDirectoryException($"World file '{full}' does not match the SHA-256 recorded in the manifest; it was modified or corrupted. {Fix}");
            }
        }
        if (WorldFiles.ContentHash(manifest.Files) != manifest.ContentHash)
            throw new InvalidWorldDirectoryException($"{manifestPath}: content_hash does not match the listed files. {Fix}");

        string worldPath = Path.Combine(root, WorldFiles.WorldFile);
        FictionalWorld world;
        try
        {
            world = WorldJson.Deserialize(await File.ReadAllBytesAsync(worldPath, ct).ConfigureAwait(false), worldPath);
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidWorldDirectoryException(ex.Message, ex);
        }
        if (world.Seed != manifest.Seed || WorldSizes.Name(world.Size) != manifest.Size || world.Entities.Count != manifest.Statistics.Entities)
            throw new InvalidWorldDirectoryException($"{worldPath} (seed {world.Seed}, {world.Entities.Count} entities) does not match {manifestPath} (seed {manifest.Seed}, {manifest.Statistics.Entities} entities). {Fix}");

        string indexPath = Path.Combine(root, WorldFiles.IndexFile);
        WorldSearchIndex index;
        try
        {
            index = WorldSearchIndex.Open(indexPath);
        }
        catch (Exception ex) when (ex is InvalidDataException or FileNotFoundException or SqliteException)
        {
            throw new InvalidWorldDirectoryException($"Search index '{indexPath}' cannot be opened ({ex.Message}). {Fix}", ex);
        }
        if (index.DocumentCount != manifest.Statistics.IndexedDocuments)
        {
            index.Dispose();
            throw new InvalidWorldDirectoryException(string.Create(CultureInfo.InvariantCulture,
                $"Search index '{indexPath}' holds {index.DocumentCount} documents but the manifest records {manifest.Statistics.IndexedDocuments}; the index does not belong to this world. {Fix}"));
        }
        return new WorldDirectory(root, manifest, world, index);
    }

    public string QuestionsPath(QuestionSplit split) => WorldFiles.FullPath(Root, WorldFiles.QuestionFile(split));

    public Task<IReadOnlyList<WorldQuestion>> ReadQuestionsAsync(QuestionSplit split, CancellationToken ct) =>
        QuestionJsonl.ReadAsync(QuestionsPath(split), ct);

    public void Dispose() => SearchIndex.Dispose();
}
