using DeepResearcher.World.Building;
using DeepResearcher.World.Generation;
using DeepResearcher.World.Questions;
using DeepResearcher.World.Storage;

namespace DeepResearcher.World.Tests;

/// <summary>One build of the main job's default size: shares and search quality on a sample large enough to be meaningful.</summary>
public sealed class SmallWorldTests
{
    [Fact]
    public async Task SmallWorldHasConfiguredSharesAndSearchableOneHopAnswers()
    {
        var ct = TestContext.Current.CancellationToken;
        string root = TestDirectories.NewRoot();
        try
        {
            var manifest = await WorldBuilder.BuildAsync(new WorldBuildOptions { OutDir = root, Seed = 7, Size = WorldSize.Small }, null, ct);
            var s = manifest.Statistics;
            Assert.InRange(s.Entities, 1900, 2100);
            using var dir = await WorldDirectory.OpenAsync(root, verifyHashes: false, ct);
            var world = dir.World;
            var shares = manifest.Shares;
            Assert.InRange(world.Entities.Count(e => e.Distractor is not null) / (double)s.Entities, shares.Distractor - 0.03, shares.Distractor + 0.03);
            Assert.InRange(world.Entities.Count(e => e.IsLongPage) / (double)s.Entities, shares.LongPage - 0.02, shares.LongPage + 0.02);
            Assert.InRange(world.Entities.Count(e => e.Slow) / (double)s.Entities, shares.SlowPage - 0.015, shares.SlowPage + 0.015);
            Assert.InRange(s.QuestionsBySplit["dev"] / (double)s.Questions, 0.05, 0.15);
            Assert.InRange(s.QuestionsBySplit["test"] / (double)s.Questions, 0.05, 0.15);
            Assert.True(s.DeepQuestionShare > 0);

            var dev = await dir.ReadQuestionsAsync(QuestionSplit.Dev, ct);
            var oneHop = dev.Where(q => q.Type == QuestionType.OneHop).ToList();
            Assert.True(oneHop.Count > 200);
            int hits = oneHop.Count(q => dir.SearchIndex.Search(q.Path[0].Query, 10).Any(r => r.Url == q.AnswerPage));
            Assert.True(hits >= oneHop.Count * 0.95, $"answer page in top 10 for {hits}/{oneHop.Count}");
        }
        finally
        {
            TestDirectories.Delete(root);
        }
    }
}
