using System.Text;

namespace DeepResearcher.Engine.Tokenization;

/// <summary>
/// Decodes token ids one at a time, as a model generates them. A UTF-8 character is often split across tokens
/// (CJK, emoji, accented letters in byte-level vocabularies); the decoder holds such partial bytes back and emits
/// a character only once all its bytes have arrived, so the concatenated output equals <see cref="BpeTokenizer.Decode"/>.
/// Not thread-safe: use one per generation stream.
/// </summary>
public sealed class StreamingDecoder
{
    private readonly BpeTokenizer _tokenizer;
    // System.Text.Decoder keeps the bytes of an unfinished character between calls.
    private readonly Decoder _utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false).GetDecoder();
    private char[] _chars = new char[64];
    private int _position;

    internal StreamingDecoder(BpeTokenizer tokenizer) => _tokenizer = tokenizer;

    /// <summary>Adds one token and returns the text it completes (empty while a character is still unfinished).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The id is not in the vocabulary.</exception>
    public string Append(int id)
    {
        ReadOnlySpan<byte> bytes = _tokenizer.TokenBytes(id, _position++);
        return Convert(bytes, flush: false);
    }

    /// <summary>Adds several tokens and returns the text they complete.</summary>
    public string Append(ReadOnlySpan<int> ids)
    {
        var text = new StringBuilder();
        foreach (int id in ids)
        {
            text.Append(Append(id));
        }

        return text.ToString();
    }

    /// <summary>Ends the stream: bytes of a character that never finished come out as U+FFFD. The decoder can then be reused.</summary>
    public string Flush()
    {
        _position = 0;
        return Convert([], flush: true);
    }

    private string Convert(ReadOnlySpan<byte> bytes, bool flush)
    {
        int needed = _utf8.GetCharCount(bytes, flush: false) + 4;
        if (_chars.Length < needed)
        {
            _chars = new char[Math.Max(needed, _chars.Length * 2)];
        }

        int count = _utf8.GetChars(bytes, _chars, flush);
        return count == 0 ? string.Empty : new string(_chars, 0, count);
    }
}
