namespace DeepResearcher.Evaluation.Datasets;

/// <summary>
/// The question in a verl <c>prompt</c>. The original's files hold the raw question, but it recovers the question from
/// the prompt as rendered by the chat template, by splitting on <c>&lt;|im_start|&gt;user\n</c> and
/// <c>&lt;|im_end|&gt;</c> (so a dataset's system prompt is discarded); content that carries the template is cut the
/// same way, and raw content is the question as it stands.
/// </summary>
public static class VerlPrompt
{
    public const string UserStart = "<|im_start|>user\n";
    public const string TurnEnd = "<|im_end|>";

    /// <summary>Python's <c>content.split(UserStart)[1].split(TurnEnd)[0]</c>, or <paramref name="content"/> without the marker.</summary>
    public static string Question(string content)
    {
        int start = content.IndexOf(UserStart, StringComparison.Ordinal);
        if (start < 0)
        {
            return content;
        }

        string rest = content[(start + UserStart.Length)..];
        int nextUser = rest.IndexOf(UserStart, StringComparison.Ordinal);
        if (nextUser >= 0)
        {
            rest = rest[..nextUser];
        }

        int end = rest.IndexOf(TurnEnd, StringComparison.Ordinal);
        return end < 0 ? rest : rest[..end];
    }
}
