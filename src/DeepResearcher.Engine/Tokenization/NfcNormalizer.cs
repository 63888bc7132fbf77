using System.Text;

namespace DeepResearcher.Engine.Tokenization;

/// <summary>
/// Unicode NFC (canonical decomposition, canonical ordering, canonical composition; UAX #15) on the
/// tables in <see cref="NfcTables"/>. The engine runs with InvariantGlobalization, where string.Normalize
/// leaves text unchanged, and own tables also keep ids independent of the machine's ICU version.
/// </summary>
internal static class NfcNormalizer
{
    private const int HangulBase = 0xAC00;
    private const int HangulCount = 11172;
    private const int LeadingBase = 0x1100;
    private const int VowelBase = 0x1161;
    private const int TrailingBase = 0x11A7;
    private const int VowelCount = 21;
    private const int TrailingCount = 28;
    private const int LeadingCount = 19;

    private static readonly Dictionary<int, int> DecompositionIndex = BuildDecompositionIndex();
    private static readonly Dictionary<int, byte> CombiningClassByCodePoint = BuildCombiningClasses();
    private static readonly Dictionary<long, int> Composites = BuildComposites(out SecondsOfComposites);
    private static readonly HashSet<int> SecondsOfComposites;
    // Characters that NFC may change or that may fuse with the character before them; text without any is already NFC.
    private static readonly bool[] BmpMayChange = BuildBmpMayChange();

    /// <summary>Returns the NFC form of <paramref name="text"/>, or null when the text is already NFC.</summary>
    public static string? NormalizeOrNull(ReadOnlySpan<char> text)
    {
        int first = FirstCharThatMayChange(text);
        if (first < 0)
        {
            return null;
        }

        // Decomposition, reordering and composition never cross a starter that NFC leaves alone, so work from the last one before.
        int start = first;
        while (start > 0)
        {
            int previous = start - 1;
            if (char.IsLowSurrogate(text[previous]) && previous > 0 && char.IsHighSurrogate(text[previous - 1]))
            {
                previous--;
            }

            start = previous;
            int cp = CodePointAt(text, previous);
            if (CombiningClass(cp) == 0 && !MayChange(cp))
            {
                break;
            }
        }

        var codePoints = new List<int>(text.Length - start + 8);
        for (int i = start; i < text.Length;)
        {
            int cp = CodePointAt(text, i);
            i += cp > 0xFFFF ? 2 : 1;
            Decompose(cp, codePoints);
        }

        SortCombiningMarks(codePoints);
        Compose(codePoints);

        var result = new StringBuilder(text.Length + 4);
        result.Append(text[..start]);
        foreach (int cp in codePoints)
        {
            if (cp > 0xFFFF)
            {
                result.Append(char.ConvertFromUtf32(cp));
            }
            else
            {
                result.Append((char)cp);
            }
        }

        string normalized = result.ToString();
        return text.SequenceEqual(normalized) ? null : normalized;
    }

    private static int FirstCharThatMayChange(ReadOnlySpan<char> text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c < 0x300 || !BmpMayChange[c])
            {
                continue;
            }

            if (!char.IsHighSurrogate(c))
            {
                return i;
            }

            if (i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                if (MayChange(char.ConvertToUtf32(c, text[i + 1])))
                {
                    return i;
                }

                i++;
            }
        }

        return -1;
    }

    /// <summary>Code point at a position; a lone surrogate stands for itself.</summary>
    private static int CodePointAt(ReadOnlySpan<char> text, int index)
    {
        char c = text[index];
        return char.IsHighSurrogate(c) && index + 1 < text.Length && char.IsLowSurrogate(text[index + 1])
            ? char.ConvertToUtf32(c, text[index + 1])
            : c;
    }

    private static void Decompose(int cp, List<int> output)
    {
        if (cp >= HangulBase && cp < HangulBase + HangulCount)
        {
            int index = cp - HangulBase;
            output.Add(LeadingBase + (index / (VowelCount * TrailingCount)));
            output.Add(VowelBase + (index % (VowelCount * TrailingCount) / TrailingCount));
            if (index % TrailingCount != 0)
            {
                output.Add(TrailingBase + (index % TrailingCount));
            }

            return;
        }

        if (!DecompositionIndex.TryGetValue(cp, out int entry))
        {
            output.Add(cp);
            return;
        }

        ReadOnlySpan<ushort> units = NfcTables.DecompositionUnits[NfcTables.DecompositionOffsets[entry]..NfcTables.DecompositionOffsets[entry + 1]];
        for (int i = 0; i < units.Length; i++)
        {
            char c = (char)units[i];
            if (char.IsHighSurrogate(c) && i + 1 < units.Length)
            {
                output.Add(char.ConvertToUtf32(c, (char)units[++i]));
            }
            else
            {
                output.Add(c);
            }
        }
    }

    /// <summary>Canonical ordering: a stable sort by combining class within each run of non-starters.</summary>
    private static void SortCombiningMarks(List<int> codePoints)
    {
        for (int i = 1; i < codePoints.Count; i++)
        {
            int cp = codePoints[i];
            int cls = CombiningClass(cp);
            if (cls == 0)
            {
                continue;
            }

            int j = i;
            while (j > 0 && CombiningClass(codePoints[j - 1]) > cls)
            {
                codePoints[j] = codePoints[j - 1];
                j--;
            }

            codePoints[j] = cp;
        }
    }

    /// <summary>Canonical composition: each character fuses with the last starter unless a character in between blocks it.</summary>
    private static void Compose(List<int> codePoints)
    {
        int starter = -1;
        int lastClass = -1; // class of the last character kept after the starter; -1 when none
        int count = 0;
        for (int i = 0; i < codePoints.Count; i++)
        {
            int cp = codePoints[i];
            int cls = CombiningClass(cp);
            bool blocked = lastClass != -1 && (lastClass == 0 || lastClass >= cls);
            if (starter >= 0 && !blocked && TryCompose(codePoints[starter], cp, out int composite))
            {
                codePoints[starter] = composite;
                continue;
            }

            if (cls == 0)
            {
                starter = count;
                lastClass = -1;
            }
            else
            {
                lastClass = cls;
            }

            codePoints[count++] = cp;
        }

        codePoints.RemoveRange(count, codePoints.Count - count);
    }

    private static bool TryCompose(int first, int second, out int composite)
    {
        if (first >= LeadingBase && first < LeadingBase + LeadingCount && second >= VowelBase && second < VowelBase + VowelCount)
        {
            composite = HangulBase + ((((first - LeadingBase) * VowelCount) + (second - VowelBase)) * TrailingCount);
            return true;
        }

        if (first >= HangulBase && first < HangulBase + HangulCount && (first - HangulBase) % TrailingCount == 0
            && second > TrailingBase && second < TrailingBase + TrailingCount)
        {
            composite = first + (second - TrailingBase);
            return true;
        }

        return Composites.TryGetValue(((long)first << 21) | (uint)second, out composite);
    }

    private static int CombiningClass(int cp) => CombiningClassByCodePoint.TryGetValue(cp, out byte cls) ? cls : 0;

    private static Dictionary<int, int> BuildDecompositionIndex()
    {
        ReadOnlySpan<int> keys = NfcTables.DecomposedCodePoints;
        var index = new Dictionary<int, int>(keys.Length);
        for (int i = 0; i < keys.Length; i++)
        {
            index[keys[i]] = i;
        }

        return index;
    }

    private static Dictionary<int, byte> BuildCombiningClasses()
    {
        ReadOnlySpan<int> keys = NfcTables.CombiningCodePoints;
        ReadOnlySpan<byte> classes = NfcTables.CombiningClasses;
        var table = new Dictionary<int, byte>(keys.Length);
        for (int i = 0; i < keys.Length; i++)
        {
            table[keys[i]] = classes[i];
        }

        return table;
    }

    private static Dictionary<long, int> BuildComposites(out HashSet<int> seconds)
    {
        ReadOnlySpan<int> first = NfcTables.CompositionFirst;
        ReadOnlySpan<int> second = NfcTables.CompositionSecond;
        ReadOnlySpan<int> result = NfcTables.CompositionResult;
        var table = new Dictionary<long, int>(first.Length);
        seconds = [];
        for (int i = 0; i < first.Length; i++)
        {
            table[((long)first[i] << 21) | (uint)second[i]] = result[i];
            seconds.Add(second[i]);
        }

        return table;
    }

    private static bool[] BuildBmpMayChange()
    {
        var table = new bool[65536];
        foreach (int cp in DecompositionIndex.Keys)
        {
            Mark(table, cp);
        }

        foreach (int cp in CombiningClassByCodePoint.Keys)
        {
            Mark(table, cp);
        }

        foreach (int cp in SecondsOfComposites)
        {
            Mark(table, cp);
        }

        for (int cp = VowelBase; cp < VowelBase + VowelCount; cp++)
        {
            table[cp] = true;
        }

        for (int cp = TrailingBase + 1; cp < TrailingBase + TrailingCount; cp++)
        {
            table[cp] = true;
        }

        return table;
    }

    private static void Mark(bool[] table, int cp)
    {
        // A supplementary code point marks its high surrogate; the exact check happens once that surrogate is seen.
        table[cp <= 0xFFFF ? cp : char.ConvertFromUtf32(cp)[0]] = true;
    }

    private static bool MayChange(int cp) =>
        cp <= 0xFFFF ? BmpMayChange[cp] : DecompositionIndex.ContainsKey(cp) || CombiningClassByCodePoint.ContainsKey(cp) || SecondsOfComposites.Contains(cp);
}
