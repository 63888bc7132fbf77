namespace DeepResearcher.Engine.Tokenization;

/// <summary>
/// Hand-written matchers for the GPT-2, Qwen2 and Llama-3 split regexes. They walk code points (a .NET regex
/// would see the two halves of a surrogate pair as non-letters) and allocate nothing; each branch below is
/// one alternative of the regex, tried in the regex's order.
/// </summary>
internal sealed class SplitPatternPreTokenizer : PreTokenizer
{
    public const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    public const string Qwen2Pattern =
        @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    public const string Llama3Pattern =
        @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    private readonly SplitPattern _kind;

    public SplitPatternPreTokenizer(SplitPattern kind) => _kind = kind;

    public override string Pattern => _kind switch
    {
        SplitPattern.Gpt2 => Gpt2Pattern,
        SplitPattern.Qwen2 => Qwen2Pattern,
        _ => Llama3Pattern,
    };

    public override int NextPieceEnd(ReadOnlySpan<char> text, int start) =>
        _kind == SplitPattern.Gpt2 ? NextGpt2(text, start) : NextQwen(text, start, _kind == SplitPattern.Llama3 ? 3 : 1);

    // (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,maxDigits}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
    private static int NextQwen(ReadOnlySpan<char> text, int start, int maxDigits)
    {
        int contraction = ContractionEnd(text, start, ignoreCase: true);
        if (contraction > 0)
        {
            return contraction;
        }

        CharClass first = CharClassifier.At(text, start, out int firstWidth);
        int afterFirst = start + firstWidth;
        if (first == CharClass.Letter)
        {
            return SkipClass(text, afterFirst, CharClass.Letter);
        }

        if (first is CharClass.Other or CharClass.Space && afterFirst < text.Length
            && CharClassifier.At(text, afterFirst, out int secondWidth) == CharClass.Letter)
        {
            return SkipClass(text, afterFirst + secondWidth, CharClass.Letter);
        }

        if (first == CharClass.Number)
        {
            int end = afterFirst;
            for (int digits = 1; digits < maxDigits && end < text.Length; digits++)
            {
                if (CharClassifier.At(text, end, out int width) != CharClass.Number)
                {
                    break;
                }

                end += width;
            }

            return end;
        }

        int symbolsStart = first == CharClass.Other ? start : SymbolsAfterSpace(text, start);
        if (symbolsStart >= 0)
        {
            int end = SkipClass(text, symbolsStart, CharClass.Other);
            while (end < text.Length && text[end] is '\r' or '\n')
            {
                end++;
            }

            return end;
        }

        // Whitespace: every whitespace character is in the BMP, so one char is one code point here.
        int runEnd = start;
        int lastLineBreak = -1;
        while (runEnd < text.Length && CharClassifier.IsWhiteSpace(text[runEnd]))
        {
            if (text[runEnd] is '\r' or '\n')
            {
                lastLineBreak = runEnd;
            }

            runEnd++;
        }

        if (lastLineBreak >= 0)
        {
            return lastLineBreak + 1; // \s*[\r\n]+
        }

        return WhitespaceEnd(text, start, runEnd);
    }

    // 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
    private static int NextGpt2(ReadOnlySpan<char> text, int start)
    {
        int contraction = ContractionEnd(text, start, ignoreCase: false);
        if (contraction > 0)
        {
            return contraction;
        }

        CharClass first = CharClassifier.At(text, start, out int firstWidth);
        int classStart = start;
        if (text[start] == ' ' && start + 1 < text.Length)
        {
            CharClass afterSpace = CharClassifier.At(text, start + 1, out int width);
            if (afterSpace is CharClass.Letter or CharClass.Number or CharClass.Other)
            {
                first = afterSpace;
                firstWidth = width;
                classStart = start + 1;
            }
        }

        if (first is CharClass.Letter or CharClass.Number or CharClass.Other)
        {
            return SkipClass(text, classStart + firstWidth, first);
        }

        int runEnd = start;
        while (runEnd < text.Length && CharClassifier.IsWhiteSpace(text[runEnd]))
        {
            runEnd++;
        }

        return WhitespaceEnd(text, start, runEnd);
    }

    /// <summary>\s+(?!\S)|\s+ over the whitespace run [start, runEnd): the last space is left to prefix the next word.</summary>
    private static int WhitespaceEnd(ReadOnlySpan<char> text, int start, int runEnd) =>
        runEnd == text.Length || runEnd - start < 2 ? runEnd : runEnd - 1;

    /// <summary>Start of [^\s\p{L}\p{N}]+ after an optional single space, or -1 when there is none.</summary>
    private static int SymbolsAfterSpace(ReadOnlySpan<char> text, int start)
    {
        if (text[start] == ' ' && start + 1 < text.Length && CharClassifier.At(text, start + 1, out _) == CharClass.Other)
        {
            return start + 1;
        }

        return -1;
    }

    private static int SkipClass(ReadOnlySpan<char> text, int index, CharClass charClass)
    {
        while (index < text.Length && CharClassifier.At(text, index, out int width) == charClass)
        {
            index += width;
        }

        return index;
    }

    /// <summary>End of 's 't 're 've 'm 'll 'd at <paramref name="start"/>, or 0 when there is none.</summary>
    private static int ContractionEnd(ReadOnlySpan<char> text, int start, bool ignoreCase)
    {
        if (text[start] != '\'' || start + 1 >= text.Length)
        {
            return 0;
        }

        // Case folding is ASCII only, as in the transformers.js port of the (?i:...) group.
        char c1 = Fold(text[start + 1], ignoreCase);
        if (c1 is 's' or 't' or 'm' or 'd')
        {
            return start + 2;
        }

        if (start + 2 >= text.Length)
        {
            return 0;
        }

        char c2 = Fold(text[start + 2], ignoreCase);
        return (c1, c2) is ('r', 'e') or ('v', 'e') or ('l', 'l') ? start + 3 : 0;
    }

    private static char Fold(char c, bool ignoreCase) => ignoreCase && c is >= 'A' and <= 'Z' ? (char)(c | 0x20) : c;
}
