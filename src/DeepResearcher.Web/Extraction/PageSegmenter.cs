namespace DeepResearcher.Web.Extraction;

/// <summary>
/// Cuts page text into segments that a reader model reads one at a time. A segment never exceeds the size limit
/// (characters, or tokens by a counter). Cuts fall on a paragraph break (blank line) if one lies in the last fifth of the
/// allowed size, else on a line break there, else on the last whitespace; a word is split only if it alone exceeds the
/// limit. Whitespace at the cuts is dropped, so the segments joined by that whitespace give back the text. Deterministic.
/// </summary>
/// <remarks>
/// The original pushes each 40,960-character window forward to the next whitespace, so its pages can overrun the size;
/// these segments stay within it, which keeps a token budget a real bound.
/// </remarks>
public sealed class PageSegmenter
{
    /// <summary>The original's viewport: 1024 * 5 * 8 characters.</summary>
    public const int DefaultMaxCharacters = 40_960;

    /// <summary>The usual rule of thumb for English text and BPE tokenizers.</summary>
    public const int CharactersPerToken = 4;

    /// <summary>Share of the segment, at its end, searched for a paragraph or line break before settling for any whitespace.</summary>
    private const double BoundaryWindow = 0.2;

    private const int MaxFitAttempts = 16;

    private readonly int _maxCharacters;
    private readonly int _maxTokens;
    private readonly Func<string, int>? _countTokens;

    /// <summary>Segments of at most <see cref="DefaultMaxCharacters"/> characters.</summary>
    public PageSegmenter()
        : this(DefaultMaxCharacters)
    {
    }

    /// <summary>Segments of at most <paramref name="maxCharacters"/> characters.</summary>
    public PageSegmenter(int maxCharacters)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCharacters, 1);
        _maxCharacters = maxCharacters;
    }

    private PageSegmenter(int maxTokens, Func<string, int> countTokens)
    {
        _maxTokens = maxTokens;
        _countTokens = countTokens;
        _maxCharacters = int.MaxValue;
    }

    /// <summary>The character limit, or null when segments are measured in tokens by a counter.</summary>
    public int? MaxCharacters => _countTokens is null ? _maxCharacters : null;

    /// <summary>The token limit, or null when segments are measured in characters.</summary>
    public int? MaxTokens => _countTokens is null ? null : _maxTokens;

    /// <summary>Segments of at most <paramref name="maxCharacters"/> characters.</summary>
    public static PageSegmenter ByCharacters(int maxCharacters) => new(maxCharacters);

    /// <summary>
    /// Segments of at most <paramref name="maxTokens"/> tokens as counted by <paramref name="countTokens"/>; without a
    /// counter, a token is taken as <see cref="CharactersPerToken"/> characters.
    /// </summary>
    public static PageSegmenter ByTokens(int maxTokens, Func<string, int>? countTokens = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTokens, 1);
        return countTokens is null
            ? new PageSegmenter(maxTokens > int.MaxValue / CharactersPerToken ? int.MaxValue : maxTokens * CharactersPerToken)
            : new PageSegmenter(maxTokens, countTokens);
    }

    /// <summary>Cuts <paramref name="text"/> into segments; blank text gives none.</summary>
    public IReadOnlyList<PageSegment> Segment(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var segments = new List<PageSegment>();
        var position = SkipWhitespace(text, 0);
        var charactersPerToken = (double)CharactersPerToken;
        while (position < text.Length)
        {
            var cut = _countTokens is null ? ChooseCut(text, position, _maxCharacters) : FitTokens(text, position, ref charactersPerToken);
            var end = cut;
            while (end > position && char.IsWhiteSpace(text[end - 1]))
            {
                end--;
            }

            segments.Add(new PageSegment(segments.Count, position, text[position..end]));
            position = SkipWhitespace(text, cut);
        }

        return segments;
    }

    /// <summary>The texts of <see cref="Segment"/>.</summary>
    public IReadOnlyList<string> SegmentTexts(string text)
    {
        var segments = Segment(text);
        var texts = new string[segments.Count];
        for (var i = 0; i < texts.Length; i++)
        {
            texts[i] = segments[i].Text;
        }

        return texts;
    }

    /// <summary>The end (exclusive) of the segment starting at <paramref name="start"/> and at most <paramref name="size"/> long.</summary>
    private static int ChooseCut(string text, int start, int size)
    {
        if (size >= text.Length - start)
        {
            return text.Length;
        }

        var limit = start + size;
        var span = text.AsSpan();

        // A cut at c keeps [start, c); it is clean when text[c] is whitespace, so c == limit is allowed.
        var windowStart = Math.Max(start + 1, limit - (int)(size * BoundaryWindow));
        var window = span[windowStart..(limit + 1)];
        var paragraph = window.LastIndexOf("\n\n");
        if (paragraph >= 0)
        {
            return windowStart + paragraph;
        }

        var line = window.LastIndexOf('\n');
        if (line >= 0)
        {
            return windowStart + line;
        }

        for (var c = limit; c > start; c--)
        {
            if (char.IsWhiteSpace(span[c]))
            {
                return c;
            }
        }

        // One "word" longer than the segment: split it, but never inside a surrogate pair.
        return char.IsLowSurrogate(span[limit]) && limit - 1 > start ? limit - 1 : limit;
    }

    /// <summary>Finds the longest clean cut whose segment fits the token budget, guessing sizes from the characters-per-token ratio.</summary>
    private int FitTokens(string text, int start, ref double charactersPerToken)
    {
        var size = Math.Max(1, (int)Math.Min(int.MaxValue - 1, _maxTokens * charactersPerToken));
        var bestFit = -1;
        var smallest = int.MaxValue;
        for (var attempt = 0; attempt < MaxFitAttempts; attempt++)
        {
            var cut = ChooseCut(text, start, size);
            smallest = Math.Min(smallest, cut);
            var tokens = _countTokens!(text[start..cut].TrimEnd());
            var length = cut - start;
            if (tokens > 0 && length > 0)
            {
                charactersPerToken = (double)length / tokens;
            }

            if (tokens <= _maxTokens)
            {
                bestFit = Math.Max(bestFit, cut);
                if (cut == text.Length || tokens >= _maxTokens * (1 - BoundaryWindow))
                {
                    break;
                }

                var grown = (int)Math.Min(int.MaxValue - 1, size * (double)_maxTokens / Math.Max(tokens, 1) * 0.98);
                if (grown <= size)
                {
                    break;
                }

                size = grown;
            }
            else
            {
                var shrunk = (int)(size * (double)_maxTokens / tokens * 0.95);
                size = Math.Max(1, Math.Min(shrunk, length - 1));
                if (bestFit >= 0 && start + size <= bestFit)
                {
                    break;
                }
            }
        }

        return bestFit >= 0 ? bestFit : smallest;
    }

    private static int SkipWhitespace(string text, int position)
    {
        while (position < text.Length && char.IsWhiteSpace(text[position]))
        {
            position++;
        }

        return position;
    }
}
