namespace DeepResearcher.Cli.Tests;

public class WorldCommandTests
{
    [Fact]
    public async Task Build_writes_a_world_and_prints_its_statistics()
    {
        using var dir = new TempDirectory();
        string world = Path.Combine(dir.Path, "world");

        CliRun run = await CliRun.InvokeAsync("world", "build", "--out", world, "--size", "tiny", "--seed", "3");

        Assert.Equal(0, run.ExitCode);
        Assert.True(File.Exists(Path.Combine(world, "manifest.json")));
        Assert.Contains("content hash", run.Output, StringComparison.Ordinal);
        Assert.Contains("questions", run.Output, StringComparison.Ordinal);
        Assert.Contains("deep-fact share", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_size_is_a_usage_error()
    {
        using var dir = new TempDirectory();

        CliRun run = await CliRun.InvokeAsync("world", "build", "--out", Path.Combine(dir.Path, "w"), "--size", "huge");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("Unknown world size 'huge'", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serving_a_directory_that_is_not_a_world_fails_clearly()
    {
        using var dir = new TempDirectory();

        CliRun run = await CliRun.InvokeAsync("world", "serve", dir.Path, "--port", "0");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("manifest.json is missing", run.Error, StringComparison.Ordinal);
    }
}
