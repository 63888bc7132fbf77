namespace DeepResearcher.Web.Reading;

public sealed record LlmPageReaderOptions
{
    /// <summary>The original's reader sampled at 0.6.</summary>
    public float Temperature { get; init; } = 0.6f;

    public int MaxTokens { get; init; } = 1024;

    /// <summary>Segments longer than this are cut before they reach the reader, so one page cannot overflow its context.</summary>
    public int MaxSegmentChars { get; init; } = 60_000;
}
