using DeepResearcher.World.Building;
using DeepResearcher.World.Generation;
using DeepResearcher.World.Storage;

namespace DeepResearcher.World.Tests;

public sealed class WorldDirectoryTests(TinyWorld tiny)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<InvalidWorldDirectoryException> OpenFails(string dir) =>
        await Assert.ThrowsAsync<InvalidWorldDirectoryException>(() => WorldDirectory.OpenAsync(dir, verifyHashes: true, Ct));

    [Fact]
    public async Task MissingDirectoryIsNamed()
    {
        string dir = Path.Combine(TestDirectories.NewRoot(), "nowhere");
        var ex = await OpenFails(dir);
        Assert.Contains(dir, ex.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DirectoryWithoutManifestIsRejected()
    {
        string dir = TestDirectories.NewRoot();
        Directory.CreateDirectory(dir);
        try
        {
            var ex = await OpenFails(dir);
            Assert.Contains("manifest.json", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            TestDirectories.Delete(dir);
        }
    }

    [Theory]
    [InlineData("manifest.json", "{ this is not json")]
    [InlineData("manifest.json", "{\"format\":\"something-else\"}")]
    [InlineData("world.json", "appended")]
    [InlineData("questions/dev.jsonl", "appended")]
    [InlineData("index.db", "appended")]
    public async Task CorruptedFilesAreNamed(string file, string damage)
    {
        string dir = TestDirectories.NewRoot();
        try
        {
            TestDirectories.CopyDirectory(tiny.Root, dir);
            string path = Path.Combine(dir, file);
            if (file == "manifest.json") await File.WriteAllTextAsync(path, damage, Ct);
            else await File.AppendAllTextAsync(path, damage, Ct);
            var ex = await OpenFails(dir);
            Assert.Contains(file == "manifest.json" ? "manifest.json" : Path.GetFileName(file), ex.Message, StringComparison.Ordinal);
            Assert.Contains("Rebuild", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            TestDirectories.Delete(dir);
        }
    }

    [Fact]
    public async Task IndexFromAnotherWorldIsDetected()
    {
        string root = TestDirectories.NewRoot();
        try
        {
            string mine = Path.Combine(root, "mine");
            TestDirectories.CopyDirectory(tiny.Root, mine);
            string other = Path.Combine(root, "other");
            await WorldBuilder.BuildAsync(new WorldBuildOptions { OutDir = other, Seed = 99, Size = WorldSize.Tiny }, null, Ct);
            File.Copy(Path.Combine(other, "index.db"), Path.Combine(mine, "index.db"), overwrite: true);
            var ex = await OpenFails(mine);
            Assert.Contains("index.db", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            TestDirectories.Delete(root);
        }
    }

    [Fact]
    public async Task ValidDirectoryOpensWithoutHashing()
    {
        using var dir = await WorldDirectory.OpenAsync(tiny.Root, verifyHashes: false, Ct);
        Assert.Equal(tiny.Manifest.Statistics.Entities, dir.World.Entities.Count);
        Assert.Equal(TinyWorld.Seed, dir.World.Seed);
    }

    [Fact]
    public async Task BuilderRefusesToClobberUnlessAsked()
    {
        string root = TestDirectories.NewRoot();
        try
        {
            string stranger = Path.Combine(root, "stranger");
            Directory.CreateDirectory(stranger);
            await File.WriteAllTextAsync(Path.Combine(stranger, "notes.txt"), "keep me", Ct);
            var refuse = await Assert.ThrowsAsync<IOException>(() => WorldBuilder.BuildAsync(new WorldBuildOptions { OutDir = stranger, Size = WorldSize.Tiny, Overwrite = true }, null, Ct));
            Assert.Contains("not a world directory", refuse.Message, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(stranger, "notes.txt")));

            string world = Path.Combine(root, "world");
            await WorldBuilder.BuildAsync(new WorldBuildOptions { OutDir = world, Seed = 1, Size = WorldSize.Tiny }, null, Ct);
            var exists = await Assert.ThrowsAsync<WorldExistsException>(() => WorldBuilder.BuildAsync(new WorldBuildOptions { OutDir = world, Seed = 2, Size = WorldSize.Tiny }, null, Ct));
            Assert.Contains("already exists", exists.Message, StringComparison.Ordinal);
            var replaced = await WorldBuilder.BuildAsync(new WorldBuildOptions { OutDir = world, Seed = 2, Size = WorldSize.Tiny, Overwrite = true }, null, Ct);
            using var opened = await WorldDirectory.OpenAsync(world, verifyHashes: true, Ct);
            Assert.Equal(2UL, opened.Manifest.Seed);
            Assert.Equal(replaced.ContentHash, opened.Manifest.ContentHash);
            Assert.Single(Directory.GetFileSystemEntries(root), e => Path.GetFileName(e).StartsWith("world", StringComparison.Ordinal));
            Assert.DoesNotContain(Directory.GetFileSystemEntries(root), e => Path.GetFileName(e).StartsWith('.'));
        }
        finally
        {
            TestDirectories.Delete(root);
        }
    }
}
