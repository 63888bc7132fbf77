using System.Text.RegularExpressions;
using DeepResearcher.World.Pages;
using DeepResearcher.World.Questions;

namespace DeepResearcher.World.Tests;

public sealed class QuestionTests(TinyWorld tiny)
{
    private string PageText(string path)
    {
        var page = tiny.Directory.Site.Find(path);
        Assert.NotNull(page);
        Assert.Equal(200, page.Status);
        return HtmlText.Extract(tiny.Directory.Renderer.Html(page));
    }

    [Fact]
    public void EveryStepIsStatedOnItsCanonicalPageAndTheAnswerOnTheAnswerPage()
    {
        var cache = new Dictionary<string, string>();
        string Text(string p) => cache.TryGetValue(p, out var t) ? t : cache[p] = PageText(p);
        foreach (var q in tiny.AllQuestions)
        {
            Assert.NotEmpty(q.Path);
            Assert.Equal(WorldQuestion.SourceName, q.Source);
            Assert.NotEmpty(q.Answers);
            foreach (var step in q.Path)
            {
                Assert.StartsWith("/wiki/", step.Page, StringComparison.Ordinal);
                Assert.Contains(step.Value, Text(step.Page), StringComparison.Ordinal);
                Assert.Contains(step.Name, Text(step.Page), StringComparison.Ordinal);
            }
            if (q.Type != QuestionType.YesNo) Assert.Contains(q.Answers[0], Text(q.AnswerPage), StringComparison.Ordinal);
            if (q.Type is not (QuestionType.YesNo or QuestionType.Comparison)) Assert.Equal(q.Path[^1].Value, q.Answers[0]);
        }
    }

    [Fact]
    public void ChainsConnectAndAnswersAreConsistent()
    {
        var world = tiny.Directory.World;
        foreach (var q in tiny.AllQuestions.Where(q => q.Type is QuestionType.TwoHop or QuestionType.ThreeHop))
        {
            for (int i = 0; i + 1 < q.Path.Count; i++) Assert.Equal(q.Path[i].ValueEntity, q.Path[i + 1].Entity);
            var last = q.Path[^1];
            var fact = world.FindById(last.Entity)!.FindFact(last.Relation);
            Assert.Equal(fact!.Value, q.Answers[0]);
        }
        foreach (var q in tiny.AllQuestions.Where(q => q.Type == QuestionType.YesNo))
        {
            Assert.Single(q.Answers);
            Assert.Contains(q.Answers[0], new[] { "yes", "no" });
            bool mentionsTrueValue = Regex.IsMatch(q.Question, @"\b" + Regex.Escape(q.Path[0].Value) + @"\b");
            Assert.Equal(mentionsTrueValue ? "yes" : "no", q.Answers[0]);
        }
        foreach (var q in tiny.AllQuestions.Where(q => q.Type == QuestionType.Comparison))
        {
            Assert.Equal(2, q.Path.Count);
            Assert.Contains(q.Answers[0], new[] { q.Path[0].Name, q.Path[1].Name });
        }
    }

    [Fact]
    public void DeepAnswersLieBeyondTheFirstBrowsingSegment()
    {
        var deep = tiny.AllQuestions.Where(q => q.Type == QuestionType.Deep).ToList();
        Assert.NotEmpty(deep);
        foreach (var q in deep)
        {
            string text = PageText(q.AnswerPage);
            int first = text.IndexOf(q.Answers[0], StringComparison.Ordinal);
            Assert.True(first >= QuestionGenerator.SegmentChars, $"{q.Id}: answer '{q.Answers[0]}' first appears at {first} on {q.AnswerPage}");
            Assert.True(q.Path[0].Segment >= 1);
            // Nor is it in the indexed text, so snippets cannot reveal it.
            var page = tiny.Directory.Site.Find(q.AnswerPage)!;
            Assert.DoesNotContain(q.Answers[0], Search.SearchIndexWriter.Truncate(tiny.Directory.Renderer.IndexText(page), Search.SearchIndexWriter.IndexedBodyChars), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void DistractorPagesStateADifferentValueAndCanonicalPagesDoNot()
    {
        var world = tiny.Directory.World;
        var site = tiny.Directory.Site;
        int checkedPages = 0;
        foreach (var e in world.Entities.Where(e => e.Distractor is not null))
        {
            var d = e.Distractor!;
            string truth = e.FindFact(d.Relation)!.Value;
            Assert.NotEqual(truth, d.WrongValue);
            var page = site.DistractorPage(e.Index)!;
            string text = HtmlText.Extract(tiny.Directory.Renderer.Html(page));
            Assert.Contains(d.WrongValue, text, StringComparison.Ordinal);
            Assert.False(ContainsValue(text, truth), $"{page.Path} states the true value {truth}");
            Assert.False(ContainsValue(PageText(SiteArticle(e)), d.WrongValue), $"canonical page of {e.Id} states the wrong value {d.WrongValue}");
            checkedPages++;
        }
        Assert.True(checkedPages > 5);
        string SiteArticle(Generation.Entity e) => WorldSite.ArticlePath(e);
    }

    [Fact]
    public void SplitsAreDisjointByAnswerEntityAndIdsAreUnique()
    {
        var sets = tiny.Questions.ToDictionary(kv => kv.Key, kv => kv.Value.Select(q => q.AnswerEntity).ToHashSet());
        Assert.Empty(sets[QuestionSplit.Train].Intersect(sets[QuestionSplit.Dev]));
        Assert.Empty(sets[QuestionSplit.Train].Intersect(sets[QuestionSplit.Test]));
        Assert.Empty(sets[QuestionSplit.Dev].Intersect(sets[QuestionSplit.Test]));
        var ids = tiny.AllQuestions.Select(q => q.Id).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        var texts = tiny.AllQuestions.Select(q => q.Question).ToList();
        Assert.Equal(texts.Count, texts.Distinct().Count());
    }

    [Fact]
    public void RelationsHaveSeveralPhrasings()
    {
        var byRelation = tiny.AllQuestions.Where(q => q.Type == QuestionType.OneHop)
            .GroupBy(q => q.Path[0].Relation)
            .Where(g => g.Count() >= 10);
        Assert.NotEmpty(byRelation);
        foreach (var g in byRelation)
        {
            var shapes = g.Select(q => q.Question.Replace(q.Path[0].Name, "X", StringComparison.Ordinal)).Distinct().Count();
            Assert.True(shapes >= 2, $"relation {g.Key} has one phrasing");
        }
    }

    [Fact]
    public void JsonlRoundTripsAndUsesTheOriginalFieldNames()
    {
        var q = tiny.AllQuestions.First(x => x.Type == QuestionType.TwoHop);
        string line = QuestionJsonl.ToLine(q);
        foreach (var field in new[] { "\"id\"", "\"source\":\"world\"", "\"question\"", "\"answers\"", "\"hops\":2", "\"type\":\"2-hop\"", "\"path\"", "\"page\"", "\"relation\"" })
        {
            Assert.Contains(field, line, StringComparison.Ordinal);
        }
        var back = QuestionJsonl.Parse(line);
        Assert.Equal(q.Question, back.Question);
        Assert.Equal(q.Answers, back.Answers);
        Assert.Equal(q.Path, back.Path);
    }

    private static bool ContainsValue(string text, string value) =>
        Regex.IsMatch(text, @"(?<![\w,])" + Regex.Escape(value) + @"(?![\w]|,\d)");
}
