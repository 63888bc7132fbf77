using DeepResearcher.Core.Protocol;
using DeepResearcher.Core.Trajectories;
using DeepResearcher.Environments.World;
using DeepResearcher.World.Building;
using DeepResearcher.World.Demonstration;
using DeepResearcher.World.Generation;
using DeepResearcher.World.Questions;
using DeepResearcher.World.Storage;

namespace DeepResearcher.Server.Tests.World;

/// <summary>
/// Answerability of the offline world: the noise-free expert, going through the world's real HTTP server, the real
/// Serper adapter, the FTS5 index, the fetcher, the extractor and the extractive reader, must answer every split.
/// </summary>
public sealed class ExpertDemonstratorTests : IAsyncLifetime
{
    private string _root = string.Empty;

    public async ValueTask InitializeAsync()
    {
        _root = Path.Combine(Path.GetTempPath(), "dr-expert-" + Guid.NewGuid().ToString("N"));
        await WorldBuilder.BuildAsync(new WorldBuildOptions { OutDir = _root, Seed = 11, Size = WorldSize.Tiny }, null, TestContext.Current.CancellationToken);
    }

    public ValueTask DisposeAsync()
    {
        Directory.Delete(_root, recursive: true);
        return ValueTask.CompletedTask;
    }

    [Theory]
    [InlineData(QuestionSplit.Train)]
    [InlineData(QuestionSplit.Dev)]
    [InlineData(QuestionSplit.Test)]
    public async Task The_noise_free_expert_answers_every_split_through_the_real_tools(QuestionSplit split)
    {
        await using OfflineWorld world = await OfflineWorld.StartAsync(_root, searchOverHttp: true, TestContext.Current.CancellationToken);
        IReadOnlyList<WorldQuestion> questions = await QuestionJsonl.ReadAsync(WorldFiles.FullPath(_root, WorldFiles.QuestionFile(split)), TestContext.Current.CancellationToken);

        IReadOnlyList<DemonstrationResult> results = await DemonstrationRun.RunAsync(world, questions, ExpertNoise.None, 1, 8, null, TestContext.Current.CancellationToken);

        double f1 = results.Average(r => r.Scores.F1);
        string[] misses = [.. results.Where(r => r.Scores.F1 < 1).Take(5).Select(r => $"{r.Question.Id} {r.Question.Question} → {r.Trajectory.FinalAnswer}")];
        Assert.True(f1 >= 0.99, $"{split}: F1 {f1:P1} over {results.Count} questions; misses: {string.Join("; ", misses)}");
        Assert.All(results, r => Assert.Equal(TerminationReason.Answered, r.Trajectory.Termination));
    }

    [Fact]
    public async Task Tool_calls_rise_with_hop_count_and_turns_follow_the_protocol()
    {
        await using OfflineWorld world = await OfflineWorld.StartAsync(_root, searchOverHttp: false, TestContext.Current.CancellationToken);
        IReadOnlyList<WorldQuestion> questions = await QuestionJsonl.ReadAsync(WorldFiles.FullPath(_root, WorldFiles.QuestionFile(QuestionSplit.Train)), TestContext.Current.CancellationToken);

        IReadOnlyList<DemonstrationResult> results = await DemonstrationRun.RunAsync(world, questions, ExpertNoise.None, 1, 8, null, TestContext.Current.CancellationToken);

        double[] callsByHops = [.. results.GroupBy(r => r.Question.Hops).OrderBy(g => g.Key).Select(g => g.Average(r => (double)r.Trajectory.ToolCallCount()))];
        Assert.True(callsByHops.Length >= 3, "the tiny world has 1-, 2- and 3-hop questions");
        for (int i = 1; i < callsByHops.Length; i++)
        {
            Assert.True(callsByHops[i] > callsByHops[i - 1], $"tool calls by hops: {string.Join(", ", callsByHops)}");
        }

        Assert.True(results.Average(r => r.Reward) >= 0.99, $"mean reward {results.Average(r => r.Reward):F3}");
        Assert.All(results.SelectMany(r => r.Trajectory.Turns), t => Assert.Null(t.Error));
    }

    [Fact]
    public async Task A_noisy_expert_reformulates_and_sometimes_gives_up_honestly()
    {
        await using OfflineWorld world = await OfflineWorld.StartAsync(_root, searchOverHttp: false, TestContext.Current.CancellationToken);
        IReadOnlyList<WorldQuestion> questions = await QuestionJsonl.ReadAsync(WorldFiles.FullPath(_root, WorldFiles.QuestionFile(QuestionSplit.Train)), TestContext.Current.CancellationToken);
        var noise = new ExpertNoise { WrongFirstQuery = 0.5, UnneededBrowse = 0.5, GiveUp = 0.1 };

        IReadOnlyList<DemonstrationResult> results = await DemonstrationRun.RunAsync(world, questions, noise, 3, 8, null, TestContext.Current.CancellationToken);

        int reformulated = results.Count(r => r.Scores.F1 == 1 && r.Trajectory.ToolCallCount(ResearchTools.WebSearchName) > r.Question.Hops);
        Assert.True(reformulated > results.Count / 10, $"{reformulated} of {results.Count} answered after an extra search");
        Assert.Contains(results, r => r.Trajectory.FinalAnswer == "unknown");
        Assert.True(results.Average(r => r.Scores.F1) > 0.8, $"F1 {results.Average(r => r.Scores.F1):F3}");
        Assert.All(results.SelectMany(r => r.Trajectory.Turns), t => Assert.Null(t.Error));
    }

    [Fact]
    public async Task A_hasty_expert_answers_the_last_step_from_the_snippets_and_is_mostly_wrong()
    {
        await using OfflineWorld world = await OfflineWorld.StartAsync(_root, searchOverHttp: false, TestContext.Current.CancellationToken);
        IReadOnlyList<WorldQuestion> questions = await QuestionJsonl.ReadAsync(WorldFiles.FullPath(_root, WorldFiles.QuestionFile(QuestionSplit.Train)), TestContext.Current.CancellationToken);
        WorldQuestion[] chains = [.. questions.Where(q => q.Type is QuestionType.OneHop or QuestionType.TwoHop)];

        IReadOnlyList<DemonstrationResult> hasty = await DemonstrationRun.RunAsync(world, chains, ExpertNoise.Hasty(1), 1, 8, null, TestContext.Current.CancellationToken);
        IReadOnlyList<DemonstrationResult> careful = await DemonstrationRun.RunAsync(world, chains, ExpertNoise.None, 1, 8, null, TestContext.Current.CancellationToken);

        // Every hop but the last is researched; the last is answered after its search, without a browse.
        Assert.All(hasty, r => Assert.Equal(
            (r.Question.Hops, r.Question.Hops - 1),
            (r.Trajectory.ToolCallCount(ResearchTools.WebSearchName), r.Trajectory.ToolCallCount(ResearchTools.BrowseWebpageName))));
        Assert.All(hasty, r => Assert.Equal(TerminationReason.Answered, r.Trajectory.Termination));
        Assert.All(hasty.SelectMany(r => r.Trajectory.Turns), t => Assert.Null(t.Error));
        double hastyF1 = hasty.Average(r => r.Scores.F1);
        Assert.True(hastyF1 < 0.5, $"hasty F1 {hastyF1:F3}: snippets rarely state the value");
        Assert.True(hasty.Count(r => r.Scores.F1 == 1) > 0, "a snippet that states the value gives a right answer");
        Assert.True(careful.Average(r => r.Scores.F1) >= 0.99);
    }
}
