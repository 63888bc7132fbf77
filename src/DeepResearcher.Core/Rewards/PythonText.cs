using System.Globalization;
using System.Text;

namespace DeepResearcher.Core.Rewards;

/// <summary>
/// The parts of Python 3's <c>str</c> and <c>re</c> that the published metric scripts rely on, reproduced on code
/// points: <c>str.lower()</c> (full case mapping: İ becomes i + combining dot, and Σ becomes ς at the end of a word),
/// <c>str.split()</c> and <c>\s</c> (Python's whitespace includes U+001C–U+001F, which .NET's does not) and <c>\w</c>
/// (letters, numbers and '_', but not combining marks, which .NET's regex counts). The casing and category tables are
/// .NET's; they agree with Python's on every character Python's Unicode database knows (checked for Python 3.11,
/// Unicode 14), and differ only on characters assigned since.
/// </summary>
internal static class PythonText
{
    // Word_Break MidLetter, MidNumLet and Single_Quote: case-ignorable besides the Mn, Me, Cf, Lm and Sk categories.
    private static readonly HashSet<int> CaseIgnorablePunctuation =
        [0x27, 0x2E, 0x3A, 0xB7, 0x387, 0x55F, 0x5F4, 0x2018, 0x2019, 0x2024, 0x2027, 0xFE13, 0xFE52, 0xFE55, 0xFF07, 0xFF0E, 0xFF1A];

    /// <summary>Python's <c>str.lower()</c>.</summary>
    public static string Lower(string text)
    {
        var sb = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length;)
        {
            int cp = CodePointAt(text, i, out int length);
            if (cp == 0x130)
            {
                // SpecialCasing.txt: LATIN CAPITAL LETTER I WITH DOT ABOVE lowercases to two code points.
                sb.Append("i\u0307");
            }
            else if (cp == 0x3A3)
            {
                sb.Append(IsFinalSigma(text, i, length) ? 'ς' : 'σ');
            }
            else if (IsLoneSurrogate(cp))
            {
                sb.Append((char)cp);
            }
            else
            {
                sb.Append(Rune.ToLowerInvariant(new Rune(cp)).ToString());
            }

            i += length;
        }

        return sb.ToString();
    }

    /// <summary>Python's <c>str.isspace()</c>, the set <c>str.split()</c> and <c>re</c>'s <c>\s</c> use.</summary>
    public static bool IsWhiteSpace(int cp) => cp < 0x10000 && (char.IsWhiteSpace((char)cp) || cp is >= 0x1C and <= 0x1F);

    /// <summary><c>re</c>'s <c>\w</c> on a <c>str</c>: <c>str.isalnum()</c> or '_'.</summary>
    public static bool IsWordCharacter(int cp)
        => cp == '_' || (!IsLoneSurrogate(cp) && Rune.GetUnicodeCategory(new Rune(cp)) is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter
            or UnicodeCategory.TitlecaseLetter or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter
            or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber);

    /// <summary>Python's <c>str.split()</c> without arguments: runs of whitespace separate, none at the ends.</summary>
    public static List<string> Split(string text)
    {
        var words = new List<string>();
        int start = -1;
        for (int i = 0; i < text.Length;)
        {
            int cp = CodePointAt(text, i, out int length);
            if (IsWhiteSpace(cp))
            {
                if (start >= 0)
                {
                    words.Add(text[start..i]);
                    start = -1;
                }
            }
            else if (start < 0)
            {
                start = i;
            }

            i += length;
        }

        if (start >= 0)
        {
            words.Add(text[start..]);
        }

        return words;
    }

    /// <summary>The code point at <paramref name="index"/>; a lone surrogate is returned as itself, as Python keeps it.</summary>
    public static int CodePointAt(string text, int index, out int length)
    {
        if (char.IsHighSurrogate(text[index]) && index + 1 < text.Length && char.IsLowSurrogate(text[index + 1]))
        {
            length = 2;
            return char.ConvertToUtf32(text[index], text[index + 1]);
        }

        length = 1;
        return text[index];
    }

    public static bool IsLoneSurrogate(int cp) => cp is >= 0xD800 and <= 0xDFFF;

    // CPython's handle_capital_sigma: Σ is final when a cased letter precedes it (case-ignorable characters skipped)
    // and none follows it (likewise).
    private static bool IsFinalSigma(string text, int index, int length)
    {
        int j = index - 1;
        int cp = 0;
        while (j >= 0)
        {
            cp = j > 0 && char.IsLowSurrogate(text[j]) && char.IsHighSurrogate(text[j - 1]) ? char.ConvertToUtf32(text[j - 1], text[j]) : text[j];
            if (!IsCaseIgnorable(cp))
            {
                break;
            }

            j -= cp > 0xFFFF ? 2 : 1;
        }

        if (j < 0 || !IsCased(cp))
        {
            return false;
        }

        for (int k = index + length; k < text.Length;)
        {
            int next = CodePointAt(text, k, out int step);
            if (!IsCaseIgnorable(next))
            {
                return !IsCased(next);
            }

            k += step;
        }

        return true;
    }

    private static bool IsCaseIgnorable(int cp)
        => !IsLoneSurrogate(cp) && (CaseIgnorablePunctuation.Contains(cp) || Rune.GetUnicodeCategory(new Rune(cp)) is UnicodeCategory.NonSpacingMark
            or UnicodeCategory.EnclosingMark or UnicodeCategory.Format or UnicodeCategory.ModifierLetter or UnicodeCategory.ModifierSymbol);

    private static bool IsCased(int cp)
    {
        if (IsLoneSurrogate(cp))
        {
            return false;
        }

        var rune = new Rune(cp);
        // Other_Lowercase / Other_Uppercase characters that have no case mapping (ª, º, the squared and circled Latin capitals).
        return Rune.GetUnicodeCategory(rune) is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
            || Rune.ToLowerInvariant(rune) != rune || Rune.ToUpperInvariant(rune) != rune
            || cp is 0xAA or 0xBA or (>= 0x1F130 and <= 0x1F149) or (>= 0x1F150 and <= 0x1F169) or (>= 0x1F170 and <= 0x1F189);
    }
}
