using DeepResearcher.Environments.World;
using DeepResearcher.Testing;
using DeepResearcher.World.Building;
using DeepResearcher.World.Demonstration;
using DeepResearcher.World.Generation;
using DeepResearcher.World.Questions;
using DeepResearcher.World.Serving;
using DeepResearcher.World.Storage;

namespace DeepResearcher.Server.Tests.World;

/// <summary>
/// The world's URLs name its virtual origin, never the server's port: a policy reads and writes the same tokens whichever
/// port the world happens to be served on (issue 22: a checkpoint trained on one port was refused every page on another).
/// </summary>
public sealed class WorldUrlTests : IAsyncLifetime
{
    private string _root = string.Empty;

    public async ValueTask InitializeAsync()
    {
        _root = Path.Combine(Path.GetTempPath(), "dr-urls-" + Guid.NewGuid().ToString("N"));
        await WorldBuilder.BuildAsync(new WorldBuildOptions { OutDir = _root, Seed = 13, Size = WorldSize.Tiny }, null, TestContext.Current.CancellationToken);
    }

    public ValueTask DisposeAsync()
    {
        Directory.Delete(_root, recursive: true);
        return ValueTask.CompletedTask;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Research_on_two_ports_reads_the_same_virtual_urls_token_for_token(bool searchOverHttp)
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        IReadOnlyList<WorldQuestion> questions = [.. (await QuestionJsonl.ReadAsync(WorldFiles.FullPath(_root, WorldFiles.QuestionFile(QuestionSplit.Dev)), ct)).Take(6)];
        await using OfflineWorld first = await OfflineWorld.StartAsync(_root, searchOverHttp, FreeLoopbackPort.Next(), ct);
        await using OfflineWorld second = await OfflineWorld.StartAsync(_root, searchOverHttp, 0, ct);
        Assert.NotEqual(first.Server.Port, second.Server.Port);

        IReadOnlyList<DemonstrationResult> a = await DemonstrationRun.RunAsync(first, questions, ExpertNoise.None, 1, 4, null, ct);
        IReadOnlyList<DemonstrationResult> b = await DemonstrationRun.RunAsync(second, questions, ExpertNoise.None, 1, 4, null, ct);

        string[] textsA = [.. a.Select(r => r.Trajectory.Text())];
        string[] textsB = [.. b.Select(r => r.Trajectory.Text())];
        Assert.Equal(textsA, textsB);
        Assert.All(textsA, text =>
        {
            Assert.Contains("'url': '" + WorldOrigin.Name + "/", text, StringComparison.Ordinal);
            Assert.DoesNotContain("127.0.0.1", text, StringComparison.Ordinal);
            Assert.DoesNotContain(":" + first.Server.Port, text, StringComparison.Ordinal);
            Assert.DoesNotContain(":" + second.Server.Port, text, StringComparison.Ordinal);
        });
        Assert.All(a, r => Assert.Equal(1.0, r.Scores.F1));
    }

    [Fact]
    public async Task Pages_outside_the_world_or_under_the_servers_real_address_are_refused()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using OfflineWorld world = await OfflineWorld.StartAsync(_root, searchOverHttp: false, ct);

        var real = await world.Pages.GetAsync(world.Server.BaseUrl + "/", ct);
        var elsewhere = await world.Pages.GetAsync("http://example.com/", ct);
        var home = await world.Pages.GetAsync(WorldOrigin.Name + "/", ct);

        Assert.Contains("only " + WorldOrigin.Name + "/", real.Error, StringComparison.Ordinal);
        Assert.Contains("only " + WorldOrigin.Name + "/", elsewhere.Error, StringComparison.Ordinal);
        Assert.Null(home.Error);
        Assert.Equal(WorldOrigin.Name + "/", home.Url);
        Assert.NotEmpty(home.Segments);
    }
}
