using System.Diagnostics;
using System.Globalization;
using DeepResearcher.World.Generation;
using DeepResearcher.World.Pages;
using DeepResearcher.World.Questions;
using DeepResearcher.World.Search;
using DeepResearcher.World.Statistics;
using DeepResearcher.World.Storage;

namespace DeepResearcher.World.Building;

/// <summary>Builds a world directory: world.json, index.db, questions/{train,dev,test}.jsonl and manifest.json.</summary>
public static class WorldBuilder
{
    public static async Task<WorldManifest> BuildAsync(WorldBuildOptions options, IProgress<string>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.OutDir)) throw new ArgumentException("WorldBuildOptions.OutDir is empty; give the directory to write the world to.", nameof(options));
        options.Shares.Validate();
        string target = Path.GetFullPath(options.OutDir.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar));
        CheckTarget(target, options.Overwrite);
        string parent = Path.GetDirectoryName(target) ?? throw new ArgumentException($"OutDir '{options.OutDir}' has no parent directory.", nameof(options));
        Directory.CreateDirectory(parent);
        string temp = Path.Combine(parent, "." + Path.GetFileName(target) + ".building-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(temp);
        try
        {
            var manifest = await BuildIntoAsync(temp, options, progress, ct).ConfigureAwait(false);
            ct.ThrowIfCancellationRequested();
            Publish(temp, target, options.Overwrite);
            progress?.Report($"world written to {target}");
            return manifest;
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    private static async Task<WorldManifest> BuildIntoAsync(string dir, WorldBuildOptions options, IProgress<string>? progress, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var world = WorldGenerator.Generate(options.Seed, options.Size, options.Shares);
        progress?.Report(string.Create(CultureInfo.InvariantCulture, $"generated {world.Entities.Count} entities in {clock.ElapsedMilliseconds} ms"));
        await File.WriteAllBytesAsync(Path.Combine(dir, WorldFiles.WorldFile), WorldJson.Serialize(world), ct).ConfigureAwait(false);

        var site = new WorldSite(world);
        var renderer = new PageRenderer(site, options.Shares);
        clock.Restart();
        int indexed = await SearchIndexWriter.WriteAsync(Path.Combine(dir, WorldFiles.IndexFile), renderer, progress, ct).ConfigureAwait(false);
        progress?.Report(string.Create(CultureInfo.InvariantCulture, $"indexed {indexed} pages in {clock.ElapsedMilliseconds} ms"));

        clock.Restart();
        var questions = new QuestionGenerator(renderer).Generate();
        Directory.CreateDirectory(Path.Combine(dir, WorldFiles.QuestionsFolder));
        foreach (var split in Enum.GetValues<QuestionSplit>())
        {
            var selected = new List<WorldQuestion>();
            foreach (var (q, s) in questions)
            {
                if (s == split) selected.Add(q);
            }
            await QuestionJsonl.WriteAsync(WorldFiles.FullPath(dir, WorldFiles.QuestionFile(split)), selected, ct).ConfigureAwait(false);
        }
        progress?.Report(string.Create(CultureInfo.InvariantCulture, $"generated {questions.Count} questions in {clock.ElapsedMilliseconds} ms"));

        var files = new List<WorldFileEntry>();
        foreach (var relative in WorldFiles.DataFiles) files.Add(await WorldFiles.DescribeAsync(dir, relative, ct).ConfigureAwait(false));
        var manifest = new WorldManifest
        {
            Seed = options.Seed,
            Size = WorldSizes.Name(options.Size),
            Shares = options.Shares,
            Statistics = ComputeStatistics(site, indexed, questions),
            Files = files,
            ContentHash = WorldFiles.ContentHash(files),
        };
        await File.WriteAllBytesAsync(Path.Combine(dir, WorldManifest.FileName), manifest.ToUtf8Json(), ct).ConfigureAwait(false);
        return manifest;
    }

    public static WorldStatistics ComputeStatistics(WorldSite site, int indexedDocuments, IReadOnlyList<(WorldQuestion Question, QuestionSplit Split)> questions)
    {
        var world = site.World;
        var byType = new SortedDictionary<string, int>(StringComparer.Ordinal);
        int longPages = 0;
        foreach (var e in world.Entities)
        {
            Increment(byType, e.Type.ToString());
            if (e.IsLongPage) longPages++;
        }
        var byKind = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var p in site.Pages) Increment(byKind, p.Kind.ToString());
        int distractors = byKind.GetValueOrDefault(nameof(SitePageKind.FanWiki)) + byKind.GetValueOrDefault(nameof(SitePageKind.Forum));
        var qType = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var qHops = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var qSplit = new SortedDictionary<string, int>(StringComparer.Ordinal);
        int deep = 0;
        foreach (var (q, s) in questions)
        {
            Increment(qType, QuestionTypes.WireName(q.Type));
            Increment(qHops, q.Hops.ToString(CultureInfo.InvariantCulture));
            Increment(qSplit, s.ToString().ToLowerInvariant());
            if (q.Type == QuestionType.Deep) deep++;
        }
        return new WorldStatistics
        {
            Entities = world.Entities.Count,
            EntitiesByType = byType,
            Pages = site.Pages.Count,
            PagesByKind = byKind,
            IndexedDocuments = indexedDocuments,
            LongPages = longPages,
            DistractorPages = distractors,
            Questions = questions.Count,
            QuestionsByType = qType,
            QuestionsByHops = qHops,
            QuestionsBySplit = qSplit,
            DeepQuestionShare = questions.Count == 0 ? 0 : Math.Round((double)deep / questions.Count, 6),
            DistractorShare = indexedDocuments == 0 ? 0 : Math.Round((double)distractors / indexedDocuments, 6),
        };
    }

    private static void Increment(SortedDictionary<string, int> map, string key) => map[key] = map.GetValueOrDefault(key) + 1;

    private static void CheckTarget(string target, bool overwrite)
    {
        if (File.Exists(target)) throw new IOException($"World output path '{target}' is a file; choose a directory path.");
        if (!Directory.Exists(target)) return;
        bool empty = !Directory.EnumerateFileSystemEntries(target).Any();
        bool isWorld = File.Exists(Path.Combine(target, WorldManifest.FileName));
        if (!empty && !isWorld)
            throw new IOException($"'{target}' exists and is not a world directory (no {WorldManifest.FileName}); refusing to replace it. Choose another output directory.");
        if (!empty && !overwrite)
            throw new WorldExistsException(target);
    }

    private static void Publish(string temp, string target, bool overwrite)
    {
        if (!Directory.Exists(target))
        {
            Directory.Move(temp, target);
            return;
        }
        CheckTarget(target, overwrite);
        string old = target + ".old-" + Guid.NewGuid().ToString("N")[..8];
        Directory.Move(target, old);
        Directory.Move(temp, target);
        TryDelete(old);
    }

    private static void TryDelete(string dir)
    {
        try
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless; the build result (or its error) matters more.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
