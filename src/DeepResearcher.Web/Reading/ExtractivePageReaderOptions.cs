namespace DeepResearcher.Web.Reading;

public sealed record ExtractivePageReaderOptions
{
    /// <summary>Sentences kept per segment.</summary>
    public int MaxSentencesPerSegment { get; init; } = 5;

    /// <summary>
    /// A sentence must share at least this many distinct terms with the questions to be a candidate. One is enough by
    /// default: on a page about the subject, the fact often names only the subject ("… 23,018 people lived in X"), and
    /// the ranking (BM25 times salience) separates it from filler that also names the subject.
    /// </summary>
    public int MinMatchedTerms { get; init; } = 1;

    /// <summary>Sentences longer than this are cut (tables flattened into one line can be huge).</summary>
    public int MaxSentenceChars { get; init; } = 400;
}
