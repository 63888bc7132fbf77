namespace DeepResearcher.Engine.Model;

/// <summary>
/// Score buffers private to each compute thread: attention work items run concurrently on the pool, each needing a
/// block of scores and score gradients. Thread-static rather than per work item, so memory is threads × one block;
/// the pool's threads are persistent, so the buffers are allocated once per thread and reused.
/// </summary>
internal static class AttentionScratch
{
    [ThreadStatic] private static float[]? scores;
    [ThreadStatic] private static float[]? scoreGrad;

    public static Span<float> Scores(int length)
    {
        if (scores is null || scores.Length < length) scores = new float[length];
        return scores.AsSpan(0, length);
    }

    public static Span<float> ScoreGrad(int length)
    {
        if (scoreGrad is null || scoreGrad.Length < length) scoreGrad = new float[length];
        return scoreGrad.AsSpan(0, length);
    }
}
