using System.Text.RegularExpressions;

namespace DeepResearcher.Engine.Tokenization;

/// <summary>Falls back to .NET's regex engine for split patterns that have no hand-written matcher.</summary>
internal sealed class RegexPreTokenizer : PreTokenizer
{
    private readonly Regex _regex;

    public RegexPreTokenizer(string pattern)
    {
        Pattern = pattern;
        _regex = new Regex(pattern, RegexOptions.Compiled | RegexOptions.CultureInvariant);
    }

    public override string Pattern { get; }

    public override int NextPieceEnd(ReadOnlySpan<char> text, int start)
    {
        // Isolated behavior: text between matches is a piece of its own.
        foreach (ValueMatch match in _regex.EnumerateMatches(text, start))
        {
            if (match.Index > start)
            {
                return match.Index;
            }

            if (match.Length > 0)
            {
                return start + match.Length;
            }
        }

        return text.Length;
    }
}
