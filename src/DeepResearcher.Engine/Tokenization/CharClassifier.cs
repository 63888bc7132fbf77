using System.Globalization;
using System.Runtime.CompilerServices;

namespace DeepResearcher.Engine.Tokenization;

/// <summary>Classifies code points the way the regex classes \p{L}, \p{N} and \s do.</summary>
internal static class CharClassifier
{
    // One byte per UTF-16 code unit: a lookup beats CharUnicodeInfo in the pre-tokenizer's inner loop.
    private static readonly CharClass[] BmpTable = BuildBmpTable();

    /// <summary>Class of the code point starting at <paramref name="index"/>; <paramref name="width"/> is 2 for a surrogate pair.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static CharClass At(ReadOnlySpan<char> text, int index, out int width)
    {
        char c = text[index];
        if (!char.IsHighSurrogate(c) || index + 1 >= text.Length || !char.IsLowSurrogate(text[index + 1]))
        {
            width = 1;
            return BmpTable[c];
        }

        width = 2;
        return FromCategory(CharUnicodeInfo.GetUnicodeCategory(char.ConvertToUtf32(c, text[index + 1])));
    }

    /// <summary>
    /// Unicode White_Space, the set \s has in the Rust and Oniguruma regex engines Hugging Face tokenizers use
    /// (it includes U+0085 and leaves out U+FEFF, unlike JavaScript's \s).
    /// </summary>
    public static bool IsWhiteSpace(char c) =>
        c is (>= '\t' and <= '\r') or ' ' or '\u0085' or '\u00A0' or '\u1680' or (>= '\u2000' and <= '\u200A')
            or '\u2028' or '\u2029' or '\u202F' or '\u205F' or '\u3000';

    private static CharClass[] BuildBmpTable()
    {
        var table = new CharClass[65536];
        for (int c = 0; c < table.Length; c++)
        {
            char ch = (char)c;
            table[c] = ch is '\r' or '\n' ? CharClass.LineBreak
                : IsWhiteSpace(ch) ? CharClass.Space
                : char.IsSurrogate(ch) ? CharClass.Other
                : FromCategory(CharUnicodeInfo.GetUnicodeCategory(ch));
        }

        return table;
    }

    private static CharClass FromCategory(UnicodeCategory category) => category switch
    {
        UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
            or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter => CharClass.Letter,
        UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => CharClass.Number,
        // Supplementary code points hold no whitespace, so separators there are ordinary symbols.
        _ => CharClass.Other,
    };
}
