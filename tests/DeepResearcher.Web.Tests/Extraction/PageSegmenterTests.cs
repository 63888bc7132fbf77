using System.Text;
using DeepResearcher.Web.Extraction;

namespace DeepResearcher.Web.Tests.Extraction;

/// <summary>Sizes, cut points and invariants of <see cref="PageSegmenter"/>.</summary>
public sealed class PageSegmenterTests
{
    [Theory]
    [InlineData("")]
    [InlineData("   \n\n\t ")]
    public void BlankText_GivesNoSegments(string text)
    {
        Assert.Empty(new PageSegmenter().Segment(text));
    }

    [Fact]
    public void ShortText_IsOneTrimmedSegment()
    {
        var segments = new PageSegmenter(100).Segment("\n  Hello world.\n\nSecond paragraph.  \n");

        var segment = Assert.Single(segments);
        Assert.Equal("Hello world.\n\nSecond paragraph.", segment.Text);
        Assert.Equal(3, segment.Start);
        Assert.Equal(0, segment.Index);
    }

    [Fact]
    public void TextOfExactlyTheLimit_IsOneSegment_AndOneMoreWordMakesTwo()
    {
        var exact = new string('a', 50) + " " + new string('b', 49);

        Assert.Equal(exact, Assert.Single(new PageSegmenter(100).Segment(exact)).Text);

        var texts = new PageSegmenter(100).SegmentTexts(exact + " c");
        Assert.Equal([new string('a', 50) + " " + new string('b', 49), "c"], texts);
    }

    [Fact]
    public void DefaultSize_IsTheOriginals40960Characters()
    {
        var text = Words(30_000, seed: 1);
        var segments = new PageSegmenter().Segment(text);

        Assert.Equal(40_960, PageSegmenter.DefaultMaxCharacters);
        Assert.Equal(40_960, new PageSegmenter().MaxCharacters);
        Assert.True(segments.Count >= text.Length / 40_960);
        Assert.All(segments, s => Assert.InRange(s.Length, 1, 40_960));
        Assert.All(segments.SkipLast(1), s => Assert.True(s.Length > 40_960 - 20, $"segment of {s.Length} is not full"));
    }

    [Fact]
    public void ParagraphBreakInTheLastFifth_IsPreferredOverLaterWhitespace()
    {
        // Paragraph ends at 85 % of the limit; plenty of spaces follow before the limit.
        var first = Sentence(85);
        var text = first + "\n\n" + Words(200, seed: 2);

        var segments = new PageSegmenter(100).Segment(text);

        Assert.Equal(first, segments[0].Text);
        Assert.Equal(first.Length + 2, segments[1].Start);
    }

    [Fact]
    public void ParagraphBreakBeforeTheLastFifth_IsIgnoredInFavourOfTheLastWhitespace()
    {
        var first = Sentence(50);
        var text = first + "\n\n" + Words(200, seed: 3);

        var segment = new PageSegmenter(100).Segment(text)[0];

        Assert.True(segment.Length > 80, $"segment of {segment.Length} stopped at the early paragraph break");
        Assert.True(segment.End == text.Length || char.IsWhiteSpace(text[segment.End]));
    }

    [Fact]
    public void LineBreakInTheLastFifth_IsPreferredOverLaterSpaces()
    {
        var first = Sentence(90);
        var text = first + "\n" + Words(200, seed: 4);

        Assert.Equal(first, new PageSegmenter(100).Segment(text)[0].Text);
    }

    [Fact]
    public void WordLongerThanTheLimit_IsSplitIntoFullPieces()
    {
        var token = new string('x', 250);
        var texts = new PageSegmenter(100).SegmentTexts("ab " + token + " cd");

        Assert.Equal(["ab", new string('x', 100), new string('x', 100), new string('x', 50) + " cd"], texts);
    }

    [Fact]
    public void HardCut_DoesNotSplitASurrogatePair()
    {
        var text = new string('x', 99) + "😀" + new string('y', 10);

        var segments = new PageSegmenter(100).Segment(text);

        Assert.Equal(new string('x', 99), segments[0].Text);
        Assert.StartsWith("😀", segments[1].Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(37, 5)]
    [InlineData(100, 6)]
    [InlineData(1000, 7)]
    public void Segments_AreWithinTheLimit_NeverSplitWords_AndReproduceTheText(int limit, int seed)
    {
        var text = Paragraphs(seed);

        var segments = new PageSegmenter(limit).Segment(text);

        var rebuilt = new StringBuilder();
        for (var i = 0; i < segments.Count; i++)
        {
            var segment = segments[i];
            Assert.Equal(i, segment.Index);
            Assert.InRange(segment.Length, 1, limit);
            Assert.Equal(text.Substring(segment.Start, segment.Length), segment.Text);
            Assert.True(segment.Start == 0 || char.IsWhiteSpace(text[segment.Start - 1]), "segment starts inside a word");
            Assert.True(segment.End == text.Length || char.IsWhiteSpace(text[segment.End]), "segment ends inside a word");
            var gapStart = i == 0 ? 0 : segments[i - 1].End;
            Assert.True(string.IsNullOrWhiteSpace(text[gapStart..segment.Start]), "text between segments was lost");
            rebuilt.Append(text, gapStart, segment.Start - gapStart).Append(segment.Text);
        }

        Assert.Equal(text.TrimEnd(), rebuilt.ToString());
    }

    [Fact]
    public void ApproximateTokens_AreFourCharactersEach()
    {
        var segmenter = PageSegmenter.ByTokens(25);
        var segments = segmenter.Segment(Paragraphs(8));

        Assert.Equal(100, segmenter.MaxCharacters);
        Assert.All(segments, s => Assert.InRange(s.Length, 1, 100));
    }

    [Fact]
    public void TokenCounter_BoundsEverySegmentAndFillsThem()
    {
        static int CountWords(string s) => s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
        var text = Paragraphs(9);
        var segmenter = PageSegmenter.ByTokens(40, CountWords);

        var segments = segmenter.Segment(text);

        Assert.Equal(40, segmenter.MaxTokens);
        Assert.Null(segmenter.MaxCharacters);
        Assert.All(segments, s => Assert.InRange(CountWords(s.Text), 1, 40));
        Assert.All(segments.SkipLast(1), s => Assert.True(CountWords(s.Text) >= 25, $"segment of {CountWords(s.Text)} words is underfilled"));
        Assert.Equal(CountWords(text), segments.Sum(s => CountWords(s.Text)));
    }

    [Fact]
    public void TokenCounter_SplitsATokenThatAloneExceedsTheBudget()
    {
        var segments = PageSegmenter.ByTokens(3, s => (s.Length + 9) / 10).Segment("short " + new string('z', 95) + " end");

        Assert.All(segments, s => Assert.InRange((s.Length + 9) / 10, 1, 3));
        Assert.Equal("short" + new string('z', 95) + "end", string.Concat(segments.Select(s => s.Text)).Replace(" ", string.Empty, StringComparison.Ordinal));
        Assert.True(segments.Count >= 4);
    }

    [Fact]
    public void InvalidSizes_AreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PageSegmenter(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => PageSegmenter.ByTokens(0));
    }

    private static string Sentence(int length)
    {
        var words = Words(length, seed: length);
        return words[..length].TrimEnd().PadRight(length, 'q');
    }

    private static string Words(int length, int seed)
    {
        var random = new Random(seed);
        var text = new StringBuilder();
        while (text.Length < length)
        {
            text.Append(new string((char)('a' + random.Next(26)), 1 + random.Next(9))).Append(' ');
        }

        return text.ToString(0, length);
    }

    private static string Paragraphs(int seed)
    {
        var random = new Random(seed);
        var text = new StringBuilder();
        for (var p = 0; p < 40; p++)
        {
            var words = 5 + random.Next(60);
            for (var w = 0; w < words; w++)
            {
                text.Append(new string((char)('a' + random.Next(26)), 1 + random.Next(12)));
                text.Append(random.Next(15) == 0 ? "\n" : " ");
            }

            text.Append(random.Next(4) == 0 ? "\n" : "\n\n");
        }

        return text.ToString();
    }
}
