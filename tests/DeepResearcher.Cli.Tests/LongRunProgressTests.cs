using DeepResearcher.World.Building;
using DeepResearcher.World.Generation;
using DeepResearcher.World.Questions;
using DeepResearcher.World.Storage;

namespace DeepResearcher.Cli.Tests;

/// <summary>`eval run` and `world demo` report progress by the console's rules: a few plain lines when redirected, not one per question.</summary>
public sealed class LongRunProgressTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();

    private string World => Path.Combine(_dir.Path, "world");

    public async ValueTask InitializeAsync()
        => await WorldBuilder.BuildAsync(new WorldBuildOptions { OutDir = World, Seed = 11, Size = WorldSize.Tiny }, null, TestContext.Current.CancellationToken);

    public ValueTask DisposeAsync()
    {
        _dir.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Eval_run_writes_periodic_progress_lines_not_one_per_question()
    {
        string questions = WorldFiles.FullPath(World, WorldFiles.QuestionFile(QuestionSplit.Dev));
        int count = Math.Min(40, (await QuestionJsonl.ReadAsync(questions, TestContext.Current.CancellationToken)).Count);

        CliRun run = await CliRun.InvokeAsync("eval", "run", "--data", questions, "--limit", count.ToString(System.Globalization.CultureInfo.InvariantCulture), "--expert", World, "--out", Path.Combine(_dir.Path, "run"));

        Assert.True(run.ExitCode == 0, run.Error);
        string[] progress = [.. run.Error.Split('\n').Where(l => l.Contains("] eval ", StringComparison.Ordinal))];
        Assert.InRange(progress.Length, 2, 11);
        Assert.Contains($"eval {count}/{count} (100 %)", progress[^1], StringComparison.Ordinal);
        Assert.Contains("F1 ", progress[^1], StringComparison.Ordinal);
        Assert.DoesNotContain($"[1/{count}]", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task World_demo_writes_periodic_progress_lines_not_one_per_question()
    {
        CliRun run = await CliRun.InvokeAsync("world", "demo", World, "--split", "dev", "--limit", "30");

        Assert.True(run.ExitCode == 0, run.Error);
        string[] progress = [.. run.Error.Split('\n').Where(l => l.Contains("] demo ", StringComparison.Ordinal))];
        Assert.InRange(progress.Length, 2, 11);
        Assert.Contains("demo 30/30 (100 %)", progress[^1], StringComparison.Ordinal);
    }
}
