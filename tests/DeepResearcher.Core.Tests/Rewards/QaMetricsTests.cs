using DeepResearcher.Core.Rewards;

namespace DeepResearcher.Core.Tests.Rewards;

/// <summary>Worked examples; each expected value is computed by hand in the comment beside it.</summary>
public class QaMetricsTests
{
    private const double Tolerance = 1e-9;

    [Theory]
    // SQuAD drops "the" (equal after it); the original keeps it: {the,eiffel,tower} vs {eiffel,tower}: P=2/3 R=1 → 0.8
    [InlineData("The Eiffel Tower", new[] { "Eiffel tower" }, 1.0, 1.0, 0.8, 1.0)]
    // p=[paris, france], g=[paris]: P=1/2, R=1, F1=2/3 (bag and set alike); gold is inside the prediction
    [InlineData("Paris, France", new[] { "Paris" }, 0.0, 2.0 / 3, 2.0 / 3, 1.0)]
    // bag: p=[new,new,york] g=[new,york], common 2, P=2/3 R=1 → 0.8; sets are equal → 1
    [InlineData("new new york", new[] { "New York" }, 0.0, 0.8, 1.0, 1.0)]
    // SQuAD drops articles (equal after it); the original keeps them: {a,cat} vs {the,cat} → 1/2
    [InlineData("a cat", new[] { "the cat" }, 1.0, 1.0, 0.5, 1.0)]
    // punctuation-only prediction normalises to nothing
    [InlineData("...", new[] { "Paris" }, 0.0, 0.0, 0.0, 0.0)]
    // a punctuation-only gold alias is ignored rather than matching an empty prediction
    [InlineData("!!", new[] { "?!" }, 0.0, 0.0, 0.0, 0.0)]
    // an empty gold list scores 0
    [InlineData("Paris", new string[0], 0.0, 0.0, 0.0, 0.0)]
    // unicode letters survive lowercasing; Unicode quotes count as punctuation
    [InlineData("“Türkiye”", new[] { "türkiye" }, 1.0, 1.0, 1.0, 1.0)]
    [InlineData("São Paulo", new[] { "sao paulo", "São Paulo" }, 1.0, 1.0, 1.0, 1.0)]
    // yes/no: a wrong polarity is 0 everywhere
    [InlineData("yes", new[] { "no" }, 0.0, 0.0, 0.0, 0.0)]
    [InlineData("Yes.", new[] { "yes" }, 1.0, 1.0, 1.0, 1.0)]
    // "yes it is" vs "yes": the HotpotQA rule zeroes bag-F1; set-F1 {yes,it,is} vs {yes}: P=1/3 R=1 → 1/2
    [InlineData("yes it is", new[] { "yes" }, 0.0, 0.0, 0.5, 1.0)]
    // cover-EM matches whole words: "no" is not inside "not known"
    [InlineData("not known", new[] { "no" }, 0.0, 0.0, 0.0, 0.0)]
    // the best alias wins
    [InlineData("NYC", new[] { "New York City", "nyc" }, 1.0, 1.0, 1.0, 1.0)]
    // "1,000": SQuAD deletes the comma (→ "1000"); the original makes it a space (→ "1 000"): {1,000} vs {1000} → 0
    [InlineData("1,000", new[] { "1000" }, 1.0, 1.0, 0.0, 1.0)]
    // prediction inside a sentence: bag p=[it,was,marie,curie,in,1903] g=[marie,curie]: P=2/6 R=1 → 0.5
    [InlineData("It was Marie Curie in 1903", new[] { "Marie Curie" }, 0.0, 0.5, 0.5, 1.0)]
    public void Scores_match_worked_examples(string prediction, string[] golds, double em, double f1, double setF1, double coverEm)
    {
        MetricScores scores = QaMetrics.Score(prediction, golds);

        Assert.Equal(em, scores.ExactMatch, Tolerance);
        Assert.Equal(f1, scores.F1, Tolerance);
        Assert.Equal(setF1, scores.SetF1, Tolerance);
        Assert.Equal(coverEm, scores.CoverExactMatch, Tolerance);
    }

    [Theory]
    [InlineData("The  Quick,   brown-fox!", "quick brownfox")]
    [InlineData("An apple a day", "apple day")]
    [InlineData("THE", "")]
    public void Squad_normalisation(string text, string expected)
        => Assert.Equal(expected, AnswerNormalizer.Squad(text));

    [Theory]
    [InlineData("The  Quick,   brown-fox!", "the quick brown fox")]
    [InlineData("U.S.A.", "u s a")]
    [InlineData("  ", "")]
    public void Original_normalisation_turns_punctuation_into_spaces(string text, string expected)
        => Assert.Equal(expected, AnswerNormalizer.Original(text));
}
