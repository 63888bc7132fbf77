using DeepResearcher.World.Generation;
using DeepResearcher.World.Questions;

namespace DeepResearcher.World.Tests;

public sealed class StatisticsTests(TinyWorld tiny)
{
    [Fact]
    public void CountsAddUpAndMatchTheFiles()
    {
        var s = tiny.Manifest.Statistics;
        Assert.Equal(s.Entities, s.EntitiesByType.Values.Sum());
        Assert.InRange(s.Entities, 190, 210);
        Assert.Equal(8, s.EntitiesByType.Count);
        Assert.Equal(s.Questions, s.QuestionsByType.Values.Sum());
        Assert.Equal(s.Questions, s.QuestionsByHops.Values.Sum());
        Assert.Equal(s.Questions, tiny.AllQuestions.Count());
        foreach (var split in Enum.GetValues<QuestionSplit>())
        {
            Assert.Equal(s.QuestionsBySplit[split.ToString().ToLowerInvariant()], tiny.Questions[split].Count);
        }
        Assert.Equal(s.Pages, s.PagesByKind.Values.Sum());
        Assert.Equal(s.IndexedDocuments, tiny.Directory.SearchIndex.DocumentCount);
        int deep = tiny.AllQuestions.Count(q => q.Type == QuestionType.Deep);
        Assert.Equal(Math.Round((double)deep / s.Questions, 6), s.DeepQuestionShare);
        Assert.Contains("deep-fact share", s.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void EveryQuestionTypeAndSplitIsPresent()
    {
        foreach (var type in Enum.GetValues<QuestionType>())
        {
            Assert.Contains(tiny.AllQuestions, q => q.Type == type);
        }
        foreach (var split in Enum.GetValues<QuestionSplit>())
        {
            Assert.NotEmpty(tiny.Questions[split]);
        }
        Assert.All(tiny.AllQuestions, q => Assert.Equal(q.Type switch
        {
            QuestionType.TwoHop or QuestionType.Comparison => 2,
            QuestionType.ThreeHop => 3,
            _ => 1,
        }, q.Hops));
    }

    [Fact]
    public void SharesStayWithinConfiguredBounds()
    {
        var world = tiny.Directory.World;
        var shares = tiny.Manifest.Shares;
        int n = world.Entities.Count;
        double distractors = world.Entities.Count(e => e.Distractor is not null) / (double)n;
        double longPages = world.Entities.Count(e => e.IsLongPage) / (double)n;
        double mirrors = world.Entities.Count(e => e.Mirror != MirrorState.None) / (double)n;
        // Binomial spread for 200 entities is about ±2.5 points at these shares: allow a bit more than twice that.
        Assert.InRange(distractors, shares.Distractor - 0.06, shares.Distractor + 0.06);
        Assert.InRange(longPages, shares.LongPage - 0.05, shares.LongPage + 0.05);
        Assert.InRange(mirrors, shares.Mirror - 0.07, shares.Mirror + 0.07);
        Assert.InRange(tiny.Manifest.Statistics.DistractorShare, 0.02, 0.25);
    }

    [Fact]
    public void ZeroAndFullSharesAreHonoured()
    {
        var none = WorldGenerator.Generate(3, WorldSize.Tiny, new WorldShares { Distractor = 0, LongPage = 0, Mirror = 0, SlowPage = 0 });
        Assert.DoesNotContain(none.Entities, e => e.Distractor is not null || e.IsLongPage || e.Mirror != MirrorState.None || e.Slow);
        var all = WorldGenerator.Generate(3, WorldSize.Tiny, new WorldShares { LongPage = 1, Mirror = 1 });
        Assert.All(all.Entities, e => Assert.True(e.IsLongPage && e.Mirror != MirrorState.None));
    }

    [Fact]
    public void InvalidSharesAreRejectedWithTheFieldName()
    {
        var ex = Assert.Throws<ArgumentException>(() => WorldGenerator.Generate(3, WorldSize.Tiny, new WorldShares { Distractor = 1.5 }));
        Assert.Contains("Distractor", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NamesAndAliasesAreUniqueButSurnamesRepeat()
    {
        var world = tiny.Directory.World;
        var all = world.Entities.SelectMany(e => e.Aliases.Append(e.Name)).ToList();
        Assert.Equal(all.Count, all.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        var surnames = world.Entities.Where(e => e.Type == EntityType.Person).Select(e => e.Name.Split(' ')[1]).ToList();
        Assert.True(surnames.Distinct().Count() < surnames.Count, "some people should share a surname");
        Assert.Contains(world.Entities, e => e.Aliases.Count > 0);
    }
}
