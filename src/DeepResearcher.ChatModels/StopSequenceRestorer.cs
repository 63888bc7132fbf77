namespace DeepResearcher.ChatModels;

/// <summary>
/// OpenAI-compatible servers cut the matched stop sequence from the returned text, and do not say which one matched.
/// For closing tags the answer is in the text: the tag whose opening is still unclosed. Putting it back keeps the
/// turn exactly as the model wrote it.
/// </summary>
internal static class StopSequenceRestorer
{
    public static string Restore(string text, IReadOnlyList<string> stopSequences)
    {
        foreach (string stop in stopSequences)
        {
            if (!stop.StartsWith("</", StringComparison.Ordinal) || !stop.EndsWith('>'))
            {
                continue;
            }

            string open = "<" + stop[2..];
            if (Count(text, open) > Count(text, stop))
            {
                return text + stop;
            }
        }

        return text;
    }

    private static int Count(string text, string value)
    {
        int count = 0;
        for (int at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
