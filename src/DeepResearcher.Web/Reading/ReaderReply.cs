using System.Text.RegularExpressions;

namespace DeepResearcher.Web.Reading;

/// <summary>
/// The reader LLM's reply. Parsed leniently, like the original (<c>&lt;tag&gt;(.*?)(?=(&lt;/tag&gt;|&lt;\w+|$))</c>):
/// a missing closing tag ends the value at the next tag or at the end.
/// </summary>
public sealed partial record ReaderReply(string ExtractedInfo, bool PageDown, string Summary)
{
    private static readonly HashSet<string> EmptyMarkers = new(StringComparer.OrdinalIgnoreCase) { "", "none", "n/a", "no", "nothing", "empty", "no new information", "none." };

    public static ReaderReply Parse(string text)
    {
        string info = Tag(text, "extracted_info");
        string pageDown = Tag(text, "page_down");
        return new ReaderReply(
            EmptyMarkers.Contains(info.Trim()) ? string.Empty : info.Trim(),
            pageDown.Contains("yes", StringComparison.OrdinalIgnoreCase),
            Tag(text, "short_summary").Trim());
    }

    private static string Tag(string text, string tag)
    {
        Match match = Regex.Match(text, $"<{tag}>(.*?)(?=(</{tag}>|<\\w+|$))", RegexOptions.Singleline);
        return match.Success ? match.Groups[1].Value : string.Empty;
    }
}
