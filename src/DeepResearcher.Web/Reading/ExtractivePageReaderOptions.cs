namespace DeepResearcher.Web.Reading;

public sealed record ExtractivePageReaderOptions
{
    /// <summary>Sentences kept per segment.</summary>
    public int MaxSentencesPerSegment { get; init; } = 4;

    /// <summary>A sentence must share at least this many distinct terms with the questions to count as relevant.</summary>
    public int MinMatchedTerms { get; init; } = 2;

    /// <summary>Sentences longer than this are cut (tables flattened into one line can be huge).</summary>
    public int MaxSentenceChars { get; init; } = 400;
}
