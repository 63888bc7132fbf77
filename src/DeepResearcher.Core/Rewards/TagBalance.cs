namespace DeepResearcher.Core.Rewards;

/// <summary>
/// The original's format check (spec §5): for each of <c>tool_call</c>, <c>think</c> and <c>answer</c>, openings and
/// closings must alternate, starting with an opening, and be equal in number.
/// </summary>
public static class TagBalance
{
    public static IReadOnlyList<string> CheckedTags { get; } = ["tool_call", "think", "answer"];

    /// <returns>null when balanced, else which tag is unbalanced.</returns>
    public static string? FindProblem(string text)
    {
        foreach (string tag in CheckedTags)
        {
            string open = "<" + tag + ">";
            string close = "</" + tag + ">";
            bool inside = false;
            int at = 0;
            while (true)
            {
                int nextOpen = text.IndexOf(open, at, StringComparison.Ordinal);
                int nextClose = text.IndexOf(close, at, StringComparison.Ordinal);
                if (nextOpen < 0 && nextClose < 0)
                {
                    break;
                }

                bool isOpen = nextClose < 0 || (nextOpen >= 0 && nextOpen < nextClose);
                if (isOpen == inside)
                {
                    return isOpen ? $"<{tag}> opened twice without </{tag}>" : $"</{tag}> without a matching <{tag}>";
                }

                inside = isOpen;
                at = isOpen ? nextOpen + open.Length : nextClose + close.Length;
            }

            if (inside)
            {
                return $"<{tag}> is never closed";
            }
        }

        return null;
    }
}
