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
    // SQuAD: a punctuation-only alias normalises to "" and so equals an empty prediction (EM 1), but F1 counts no
    // shared word (0); set-F1 and cover-EM skip an empty alias
    [InlineData("!!", new[] { "?!" }, 1.0, 0.0, 0.0, 0.0)]
    // an empty gold list scores 0
    [InlineData("Paris", new string[0], 0.0, 0.0, 0.0, 0.0)]
    // unicode letters survive lowercasing; the published scripts know only ASCII punctuation, so “Türkiye” is one
    // word that is not "türkiye" (the unicode-punctuation rule fixes it, below)
    [InlineData("“Türkiye”", new[] { "türkiye" }, 0.0, 0.0, 0.0, 0.0)]
    [InlineData("São Paulo", new[] { "sao paulo", "São Paulo" }, 1.0, 1.0, 1.0, 1.0)]
    // yes/no: a wrong polarity is 0 everywhere
    [InlineData("yes", new[] { "no" }, 0.0, 0.0, 0.0, 0.0)]
    [InlineData("Yes.", new[] { "yes" }, 1.0, 1.0, 1.0, 1.0)]
    // "yes it is" vs "yes": bag p=[yes,it,is] g=[yes]: P=1/3 R=1 → 1/2 (the HotpotQA rule would zero it, below);
    // set-F1 likewise 1/2
    [InlineData("yes it is", new[] { "yes" }, 0.0, 0.5, 0.5, 1.0)]
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
    // each rule changes exactly what docs/evaluation.md says it does
    [InlineData("“Türkiye”", new[] { "türkiye" }, MetricRules.UnicodePunctuation, 1.0, 1.0, 1.0, 1.0)]
    [InlineData("“Türkiye”", new[] { "türkiye" }, MetricRules.HotpotQaYesNo, 0.0, 0.0, 0.0, 0.0)]
    // an en dash: published, "1914–1918" is one word; Unicode punctuation: SQuAD deletes it ("19141918"), the original
    // makes it a space ({1914, 1918} vs {1914}: P=1/2 R=1 → 2/3)
    [InlineData("1914–1918", new[] { "1914" }, MetricRules.UnicodePunctuation, 0.0, 0.0, 2.0 / 3, 0.0)]
    [InlineData("1914–1918", new[] { "1914" }, MetricRules.None, 0.0, 0.0, 0.0, 0.0)]
    // HotpotQA's rule zeroes F1 only, when either side is yes/no/noanswer and they differ
    [InlineData("yes it is", new[] { "yes" }, MetricRules.HotpotQaYesNo, 0.0, 0.0, 0.5, 1.0)]
    [InlineData("yes", new[] { "yes it is" }, MetricRules.HotpotQaYesNo, 0.0, 0.0, 0.5, 0.0)]
    [InlineData("Yes!", new[] { "yes" }, MetricRules.HotpotQaYesNo, 1.0, 1.0, 1.0, 1.0)]
    [InlineData("yes it is", new[] { "yes" }, MetricRules.UnicodePunctuation | MetricRules.HotpotQaYesNo, 0.0, 0.0, 0.5, 1.0)]
    public void Rules_change_the_scores_as_documented(string prediction, string[] golds, MetricRules rules, double em, double f1, double setF1, double coverEm)
    {
        MetricScores scores = QaMetrics.Score(prediction, golds, rules);

        Assert.Equal(em, scores.ExactMatch, Tolerance);
        Assert.Equal(f1, scores.F1, Tolerance);
        Assert.Equal(setF1, scores.SetF1, Tolerance);
        Assert.Equal(coverEm, scores.CoverExactMatch, Tolerance);
    }

    [Theory]
    // Python's str.lower(): İ is i + U+0307; Σ is ς at a word's end (a case-ignorable apostrophe skipped), σ inside
    [InlineData("İstanbul", "i\u0307stanbul")]
    [InlineData("ΟΔΟΣ ΣΑΣ", "οδος σας")]
    [InlineData("ΟΔΟΣ'", "οδος")]
    [InlineData("Σ", "σ")]
    // \b(a|an|the)\b: a combining mark is not a word character in Python, so "the" before one is an article; a digit is
    [InlineData("the\u0301 end", "\u0301 end")]
    [InlineData("a1 the_end", "a1 theend")]
    // an em dash is not ASCII punctuation, but it is a word boundary
    [InlineData("the—end", "—end")]
    // Python's whitespace includes U+001C–U+001F
    [InlineData("new\u001Fyork", "new york")]
    public void Squad_normalisation_follows_python(string text, string expected)
        => Assert.Equal(expected, AnswerNormalizer.Squad(text));

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
