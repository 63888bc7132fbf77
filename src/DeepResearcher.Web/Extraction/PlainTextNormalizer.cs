using System.Text;

namespace DeepResearcher.Web.Extraction;

/// <summary>Cleans text/plain bodies: one newline convention, no trailing spaces, at most one blank line in a row.</summary>
internal static class PlainTextNormalizer
{
    public static string Normalize(ReadOnlySpan<char> text)
    {
        var output = new StringBuilder(text.Length);
        var blankLines = 0;
        var lineStart = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            if (i < text.Length && text[i] != '\n' && text[i] != '\r')
            {
                continue;
            }

            var line = text[lineStart..i].TrimEnd();
            if (line.IsWhiteSpace())
            {
                blankLines++;
            }
            else
            {
                if (output.Length > 0)
                {
                    output.Append('\n', blankLines > 0 ? 2 : 1);
                }

                output.Append(line);
                blankLines = 0;
            }

            if (i < text.Length - 1 && text[i] == '\r' && text[i + 1] == '\n')
            {
                i++;
            }

            lineStart = i + 1;
        }

        return output.ToString();
    }

    /// <summary>The first non-blank line, shortened to a title's length.</summary>
    public static string FirstLine(string normalized, int maxLength)
    {
        var end = normalized.IndexOf('\n', StringComparison.Ordinal);
        var line = (end < 0 ? normalized : normalized[..end]).Trim();
        return line.Length <= maxLength ? line : line[..maxLength].TrimEnd();
    }
}
