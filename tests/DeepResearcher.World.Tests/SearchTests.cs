using DeepResearcher.World.Questions;
using DeepResearcher.World.Search;

namespace DeepResearcher.World.Tests;

public sealed class SearchTests(TinyWorld tiny)
{
    [Theory]
    [InlineData("\"unbalanced quote")]
    [InlineData("a AND OR NOT b")]
    [InlineData("NEAR(foo bar, 3)")]
    [InlineData("title:foo* ^bar -baz + (x OR")]
    [InlineData("'; DROP TABLE docs; --")]
    [InlineData("   ")]
    [InlineData("?!.,;:")]
    [InlineData("Ünïcödé 名前 ☃")]
    [InlineData("\"\"\"\"")]
    public void AnyQueryTextIsSafe(string query)
    {
        var results = tiny.Directory.SearchIndex.Search(query, 10);
        Assert.NotNull(results);
        Assert.True(results.Count <= 10);
    }

    [Fact]
    public void SanitiserQuotesTermsAndDropsStopWords()
    {
        Assert.Equal("\"capital\" OR \"velora\"", FtsQuery.Build("What is the capital of \"Velora\"?"));
        Assert.Null(FtsQuery.Build("?!"));
        Assert.Equal("\"the\"", FtsQuery.Build("the"));
    }

    [Fact]
    public void EntityNameFindsItsCanonicalPageFirstWithASnippet()
    {
        var world = tiny.Directory.World;
        int first = 0, total = 0;
        foreach (var e in world.Entities.Take(60))
        {
            var results = tiny.Directory.SearchIndex.Search(e.Name, 10);
            total++;
            if (results.Count > 0 && results[0].Url == Pages.WorldSite.ArticlePath(e)) first++;
            Assert.All(results, r => Assert.False(string.IsNullOrWhiteSpace(r.Snippet)));
        }
        Assert.True(first >= total * 0.9, $"canonical page ranked first for {first}/{total} names");
    }

    [Fact]
    public async Task ConcurrentSearchesGiveTheSameResultsAsSequentialOnes()
    {
        var names = tiny.Directory.World.Entities.Take(40).Select(e => e.Name + " history").ToList();
        var expected = names.Select(n => tiny.Directory.SearchIndex.Search(n, 10)).ToList();
        var tasks = Enumerable.Range(0, 8).Select(t => Task.Run(() => names.Select(n => tiny.Directory.SearchIndex.Search(n, 10)).ToList(), TestContext.Current.CancellationToken));
        foreach (var got in await Task.WhenAll(tasks))
        {
            for (int i = 0; i < names.Count; i++) Assert.Equal(expected[i], got[i]);
        }
    }

    [Fact]
    public void KLimitsTheNumberOfResults()
    {
        var name = tiny.Directory.World.Entities[10].Name;
        Assert.True(tiny.Directory.SearchIndex.Search(name + " history culture", 3).Count <= 3);
        Assert.Empty(tiny.Directory.SearchIndex.Search(name, 0));
    }

    [Fact]
    public void OneHopDevQuestionsFindTheAnswerPageWithASimpleFirstQuery()
    {
        var oneHop = tiny.Questions[QuestionSplit.Dev].Where(q => q.Type == QuestionType.OneHop).ToList();
        Assert.True(oneHop.Count >= 10, $"only {oneHop.Count} 1-hop dev questions");
        int hits = 0;
        var misses = new List<string>();
        foreach (var q in oneHop)
        {
            var results = tiny.Directory.SearchIndex.Search(q.Path[0].Query, 10);
            if (results.Any(r => r.Url == q.AnswerPage)) hits++;
            else misses.Add(q.Path[0].Query);
        }
        Assert.True(hits >= oneHop.Count * 0.95, $"{hits}/{oneHop.Count}; missed: {string.Join(" | ", misses)}");
    }
}
