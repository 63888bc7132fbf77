namespace DeepResearcher.Engine.Tokenization;

/// <summary>
/// GPT-2's reversible byte ↔ printable character mapping: byte-level vocabularies spell every token
/// with these 256 characters so that no token contains whitespace or control characters.
/// </summary>
internal static class ByteLevelAlphabet
{
    /// <summary>Character that stands for each byte value.</summary>
    public static readonly char[] ByteToChar = BuildByteToChar();

    private static readonly short[] CharToByteTable = BuildCharToByte();

    /// <summary>Returns the byte a character stands for, or -1 when the character is not in the alphabet.</summary>
    public static int CharToByte(char c) => c < CharToByteTable.Length ? CharToByteTable[c] : -1;

    /// <summary>Spells bytes with the alphabet (the form tokens have in vocab files).</summary>
    public static string Encode(ReadOnlySpan<byte> bytes)
    {
        Span<char> chars = bytes.Length <= 512 ? stackalloc char[bytes.Length] : new char[bytes.Length];
        for (int i = 0; i < bytes.Length; i++)
        {
            chars[i] = ByteToChar[bytes[i]];
        }

        return new string(chars);
    }

    /// <summary>Turns a token spelled with the alphabet back into bytes; false when a character is outside the alphabet.</summary>
    public static bool TryDecode(string token, out byte[] bytes)
    {
        bytes = new byte[token.Length];
        for (int i = 0; i < token.Length; i++)
        {
            int b = CharToByte(token[i]);
            if (b < 0)
            {
                return false;
            }

            bytes[i] = (byte)b;
        }

        return true;
    }

    private static char[] BuildByteToChar()
    {
        // Printable Latin-1 bytes keep their own character; the other 68 bytes are moved to U+0100 upwards in byte order.
        var map = new char[256];
        int next = 0;
        for (int b = 0; b < 256; b++)
        {
            bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            map[b] = printable ? (char)b : (char)(256 + next++);
        }

        return map;
    }

    private static short[] BuildCharToByte()
    {
        var table = new short[256 + 68];
        Array.Fill(table, (short)-1);
        for (int b = 0; b < 256; b++)
        {
            table[ByteToChar[b]] = (short)b;
        }

        return table;
    }
}
