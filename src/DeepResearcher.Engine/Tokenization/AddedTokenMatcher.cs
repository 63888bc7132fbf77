using System.Buffers;

namespace DeepResearcher.Engine.Tokenization;

/// <summary>Finds added tokens in text: leftmost match first, and the longest token at that position.</summary>
internal sealed class AddedTokenMatcher
{
    private readonly SearchValues<char> _firstChars;
    private readonly Dictionary<char, AddedToken[]> _byFirstChar;

    public AddedTokenMatcher(IEnumerable<AddedToken> tokens)
    {
        _byFirstChar = tokens
            .Where(t => t.Content.Length > 0)
            .GroupBy(t => t.Content[0])
            .ToDictionary(g => g.Key, g => g.OrderByDescending(t => t.Content.Length).ToArray());
        _firstChars = SearchValues.Create(_byFirstChar.Keys.ToArray());
    }

    public bool IsEmpty => _byFirstChar.Count == 0;

    /// <summary>Finds the first added token at or after <paramref name="start"/>; false when there is none.</summary>
    public bool TryFindNext(ReadOnlySpan<char> text, int start, out int index, out AddedToken? token)
    {
        int position = start;
        while (position < text.Length)
        {
            int found = text[position..].IndexOfAny(_firstChars);
            if (found < 0)
            {
                break;
            }

            position += found;
            foreach (AddedToken candidate in _byFirstChar[text[position]])
            {
                if (text[position..].StartsWith(candidate.Content, StringComparison.Ordinal))
                {
                    index = position;
                    token = candidate;
                    return true;
                }
            }

            position++;
        }

        index = -1;
        token = null;
        return false;
    }
}
