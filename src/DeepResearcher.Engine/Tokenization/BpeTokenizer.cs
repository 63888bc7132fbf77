using System.Buffers;
using System.Collections.Concurrent;
using System.Text;

namespace DeepResearcher.Engine.Tokenization;

/// <summary>
/// Byte-level BPE tokenizer (GPT-2, Qwen2/2.5/3, Llama-3 style): added tokens are matched in the raw text first,
/// the rest is NFC-normalized (when the model asks for it), cut into pieces by the split pattern, turned into
/// UTF-8 bytes and merged by rank. Thread-safe: instances are immutable apart from an internal piece cache.
/// </summary>
public sealed class BpeTokenizer
{
    // Pieces longer than this are rare (long runs of spaces, base64) and would only bloat the cache.
    private const int MaxCachedPieceLength = 64;
    private const int MaxCacheEntries = 200_000;
    private const int StackBufferLength = 256;

    private readonly string?[] _vocabTokens;
    private readonly AddedToken?[] _addedById;
    private readonly byte[]?[] _tokenBytes;
    private readonly Dictionary<string, int> _tokenToId;
    private readonly int[] _byteToId = new int[256];
    private readonly MergeTable _merges;
    private readonly AddedToken[] _addedTokens;
    private readonly AddedTokenMatcher _addedTokenMatcher;
    private readonly PreTokenizer _preTokenizer;
    private readonly bool _normalizeNfc;
    private readonly bool _ignoreMerges;
    private readonly ConcurrentDictionary<string, int[]> _pieceCache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int[]>.AlternateLookup<ReadOnlySpan<char>> _pieceCacheLookup;
    private int _pieceCacheCount;

    internal BpeTokenizer(BpeModelDefinition definition)
    {
        string source = definition.Source;
        int maxId = -1;
        foreach (int id in definition.Vocab.Values)
        {
            maxId = Math.Max(maxId, id);
        }

        foreach (AddedToken token in definition.AddedTokens)
        {
            maxId = Math.Max(maxId, token.Id);
        }

        if (maxId < 0)
        {
            throw new InvalidDataException($"{source}: the vocabulary is empty.");
        }

        _vocabTokens = new string?[maxId + 1];
        _addedById = new AddedToken?[maxId + 1];
        _tokenBytes = new byte[]?[maxId + 1];
        _tokenToId = new Dictionary<string, int>(definition.Vocab.Count + definition.AddedTokens.Count, StringComparer.Ordinal);
        Array.Fill(_byteToId, -1);

        foreach (var (token, id) in definition.Vocab)
        {
            if (_vocabTokens[id] is { } other)
            {
                throw new InvalidDataException($"{source}: tokens \"{other}\" and \"{token}\" share id {id}; each vocab id must be unique.");
            }

            if (!ByteLevelAlphabet.TryDecode(token, out byte[] bytes))
            {
                throw new InvalidDataException(
                    $"{source}: vocab token \"{token}\" (id {id}) has characters outside the byte-level alphabet; this is not a byte-level BPE vocabulary.");
            }

            _vocabTokens[id] = token;
            _tokenBytes[id] = bytes;
            _tokenToId[token] = id;
            if (bytes.Length == 1)
            {
                _byteToId[bytes[0]] = id;
            }
        }

        int missingByte = Array.IndexOf(_byteToId, -1);
        if (missingByte >= 0)
        {
            throw new InvalidDataException(
                $"{source}: no vocab token stands for the single byte 0x{missingByte:X2} (\"{ByteLevelAlphabet.ByteToChar[missingByte]}\"); a byte-level BPE vocabulary needs all 256.");
        }

        var merges = new List<(int, int, int)>(definition.Merges.Count);
        for (int rank = 0; rank < definition.Merges.Count; rank++)
        {
            var (left, right) = definition.Merges[rank];
            if (!definition.Vocab.TryGetValue(left, out int leftId) || !definition.Vocab.TryGetValue(right, out int rightId))
            {
                throw new InvalidDataException($"{source}: merge #{rank} \"{left} {right}\" uses a token that is not in the vocab.");
            }

            if (!definition.Vocab.TryGetValue(left + right, out int mergedId))
            {
                throw new InvalidDataException($"{source}: merge #{rank} \"{left} {right}\" makes \"{left + right}\", which is not in the vocab.");
            }

            merges.Add((leftId, rightId, mergedId));
        }

        _merges = new MergeTable(merges, source);

        _addedTokens = [.. definition.AddedTokens.OrderBy(t => t.Id)];
        foreach (AddedToken token in _addedTokens)
        {
            if (_addedById[token.Id] is { } other)
            {
                throw new InvalidDataException($"{source}: added tokens \"{other.Content}\" and \"{token.Content}\" share id {token.Id}.");
            }

            _addedById[token.Id] = token;
            _tokenBytes[token.Id] = Encoding.UTF8.GetBytes(token.Content);
            _tokenToId[token.Content] = token.Id;
        }

        _addedTokenMatcher = new AddedTokenMatcher(_addedTokens);
        _preTokenizer = definition.PreTokenizer;
        _normalizeNfc = definition.NormalizeNfc;
        _ignoreMerges = definition.IgnoreMerges;
        _pieceCacheLookup = _pieceCache.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Number of token ids (highest id + 1), counting added tokens.</summary>
    public int VocabSize => _tokenBytes.Length;

    /// <summary>Tokens matched verbatim before BPE, in id order.</summary>
    public IReadOnlyList<AddedToken> AddedTokens => _addedTokens;

    /// <summary>Number of merges in the model.</summary>
    public int MergeCount => _merges.Count;

    /// <summary>Loads a Hugging Face tokenizer.json with a byte-level BPE model.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a byte-level BPE tokenizer.json; the message names the file and the field.</exception>
    public static BpeTokenizer FromTokenizerJson(string path) =>
        new(TokenizerJsonReader.Parse(ReadFile(path), path));

    /// <inheritdoc cref="FromTokenizerJson(string)"/>
    public static async Task<BpeTokenizer> FromTokenizerJsonAsync(string path, CancellationToken cancellationToken)
    {
        byte[] json = await ReadFileAsync(path, cancellationToken).ConfigureAwait(false);
        return new BpeTokenizer(TokenizerJsonReader.Parse(json, path));
    }

    /// <summary>Loads OpenAI's GPT-2 files; &lt;|endoftext|&gt; becomes a special added token.</summary>
    public static BpeTokenizer FromGpt2Files(string encoderJsonPath, string vocabBpePath) =>
        new(Gpt2FilesReader.Parse(ReadFile(encoderJsonPath), encoderJsonPath, Gpt2FilesReader.DecodeUtf8(ReadFile(vocabBpePath), vocabBpePath), vocabBpePath));

    /// <inheritdoc cref="FromGpt2Files(string, string)"/>
    public static async Task<BpeTokenizer> FromGpt2FilesAsync(string encoderJsonPath, string vocabBpePath, CancellationToken cancellationToken)
    {
        byte[] encoder = await ReadFileAsync(encoderJsonPath, cancellationToken).ConfigureAwait(false);
        byte[] merges = await ReadFileAsync(vocabBpePath, cancellationToken).ConfigureAwait(false);
        return new BpeTokenizer(Gpt2FilesReader.Parse(encoder, encoderJsonPath, Gpt2FilesReader.DecodeUtf8(merges, vocabBpePath), vocabBpePath));
    }

    /// <summary>Writes this tokenizer as a Hugging Face tokenizer.json (atomically: temp file, then rename).</summary>
    public void Save(string path) => TokenizerJsonWriter.WriteAtomically(this, path);

    /// <inheritdoc cref="Save(string)"/>
    public Task SaveAsync(string path, CancellationToken cancellationToken) =>
        TokenizerJsonWriter.WriteAtomicallyAsync(this, path, cancellationToken);

    /// <summary>Id of a token: a vocab token spelled in the byte-level alphabet ("Ġthe"), or an added token's content.</summary>
    public int? TokenToId(string token) => _tokenToId.TryGetValue(token, out int id) ? id : null;

    /// <summary>The token an id stands for (byte-level spelling, or an added token's content); null for unused ids.</summary>
    public string? IdToToken(int id) =>
        (uint)id < (uint)_tokenBytes.Length ? _addedById[id]?.Content ?? _vocabTokens[id] : null;

    /// <summary>Whether an id is an added token flagged special (chat control tokens such as &lt;|im_end|&gt;).</summary>
    public bool IsSpecialToken(int id) => (uint)id < (uint)_addedById.Length && _addedById[id] is { Special: true };

    /// <summary>Starts decoding a stream of ids into text that never ends inside a UTF-8 character.</summary>
    public StreamingDecoder CreateStreamingDecoder() => new(this);

    /// <summary>
    /// Encodes text to token ids. With <paramref name="allowSpecialTokens"/> false no added token is matched
    /// (neither the special ones nor &lt;think&gt; and the like), so untrusted text such as a web page cannot
    /// inject chat control tokens: "&lt;|im_end|&gt;" in it is encoded as ordinary characters.
    /// </summary>
    public int[] Encode(string text, bool allowSpecialTokens = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        var output = new IdBuffer(text.Length / 3 + 8);
        try
        {
            int position = 0;
            if (allowSpecialTokens && !_addedTokenMatcher.IsEmpty)
            {
                while (_addedTokenMatcher.TryFindNext(text, position, out int index, out AddedToken? token))
                {
                    int segmentEnd = index;
                    if (token!.LeftStrip)
                    {
                        while (segmentEnd > position && char.IsWhiteSpace(text[segmentEnd - 1]))
                        {
                            segmentEnd--;
                        }
                    }

                    EncodeOrdinaryText(text.AsSpan(position, segmentEnd - position), ref output);
                    output.Add(token.Id);
                    position = index + token.Content.Length;
                    if (token.RightStrip)
                    {
                        while (position < text.Length && char.IsWhiteSpace(text[position]))
                        {
                            position++;
                        }
                    }
                }
            }

            EncodeOrdinaryText(text.AsSpan(position), ref output);
            return output.ToArray();
        }
        finally
        {
            output.Dispose();
        }
    }

    /// <summary>Decodes ids to text; byte sequences that are not valid UTF-8 become U+FFFD.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An id is not in the vocabulary.</exception>
    public string Decode(ReadOnlySpan<int> ids)
    {
        int byteCount = 0;
        for (int i = 0; i < ids.Length; i++)
        {
            byteCount += TokenBytes(ids[i], i).Length;
        }

        byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Max(1, byteCount));
        try
        {
            int offset = 0;
            for (int i = 0; i < ids.Length; i++)
            {
                ReadOnlySpan<byte> bytes = TokenBytes(ids[i], i);
                bytes.CopyTo(buffer.AsSpan(offset));
                offset += bytes.Length;
            }

            return Encoding.UTF8.GetString(buffer, 0, byteCount);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The bytes a token stands for; <paramref name="position"/> is only used in the error message.</summary>
    internal ReadOnlySpan<byte> TokenBytes(int id, int position)
    {
        if ((uint)id >= (uint)_tokenBytes.Length || _tokenBytes[id] is not { } bytes)
        {
            throw new ArgumentOutOfRangeException(
                nameof(id), id, $"Token id {id} at position {position} is not in the vocabulary (ids run from 0 to {_tokenBytes.Length - 1}).");
        }

        return bytes;
    }

    internal string? VocabTokenAt(int id) => _vocabTokens[id];

    internal (int Left, int Right) MergeAt(int rank) => _merges.PairAt(rank);

    internal PreTokenizer PreTokenizer => _preTokenizer;

    internal bool NormalizesNfc => _normalizeNfc;

    internal bool IgnoresMerges => _ignoreMerges;

    private void EncodeOrdinaryText(ReadOnlySpan<char> text, ref IdBuffer output)
    {
        if (text.IsEmpty)
        {
            return;
        }

        if (_normalizeNfc && NfcNormalizer.NormalizeOrNull(text) is { } normalized)
        {
            text = normalized;
        }

        int start = 0;
        while (start < text.Length)
        {
            int end = _preTokenizer.NextPieceEnd(text, start);
            EncodePiece(text[start..end], ref output);
            start = end;
        }
    }

    private void EncodePiece(ReadOnlySpan<char> piece, ref IdBuffer output)
    {
        if (_pieceCacheLookup.TryGetValue(piece, out int[]? cached))
        {
            output.AddRange(cached);
            return;
        }

        int[] ids = EncodePieceUncached(piece);
        if (piece.Length <= MaxCachedPieceLength)
        {
            if (Interlocked.Increment(ref _pieceCacheCount) > MaxCacheEntries)
            {
                // A crude bound: dropping everything is cheap and the hot pieces come back at once.
                _pieceCache.Clear();
                Interlocked.Exchange(ref _pieceCacheCount, 0);
            }

            _pieceCacheLookup.TryAdd(piece, ids);
        }

        output.AddRange(ids);
    }

    private int[] EncodePieceUncached(ReadOnlySpan<char> piece)
    {
        // Lone surrogates become U+FFFD's three bytes, as JavaScript's TextEncoder and Rust's String do.
        int byteCount = Encoding.UTF8.GetByteCount(piece);
        Span<byte> bytes = byteCount <= StackBufferLength ? stackalloc byte[StackBufferLength] : new byte[byteCount];
        bytes = bytes[..Encoding.UTF8.GetBytes(piece, bytes)];

        if (_ignoreMerges && _tokenToId.TryGetValue(ByteLevelAlphabet.Encode(bytes), out int whole) && _addedById[whole] is null)
        {
            return [whole];
        }

        Span<int> symbols = bytes.Length <= StackBufferLength ? stackalloc int[StackBufferLength] : new int[bytes.Length];
        symbols = symbols[..bytes.Length];
        for (int i = 0; i < bytes.Length; i++)
        {
            symbols[i] = _byteToId[bytes[i]];
        }

        int count = BytePairMerger.Merge(_merges, symbols);
        return symbols[..count].ToArray();
    }

    private static byte[] ReadFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new FileNotFoundException($"Tokenizer file not found: {path}", path, e);
        }
    }

    private static async Task<byte[]> ReadFileAsync(string path, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        try
        {
            return await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new FileNotFoundException($"Tokenizer file not found: {path}", path, e);
        }
    }

    /// <summary>A growable id array on pooled memory, so encoding allocates only the returned array.</summary>
    private struct IdBuffer : IDisposable
    {
        private int[] _items;
        private int _count;

        public IdBuffer(int capacity)
        {
            _items = ArrayPool<int>.Shared.Rent(Math.Max(16, capacity));
            _count = 0;
        }

        public void Add(int id)
        {
            if (_count == _items.Length)
            {
                Grow(1);
            }

            _items[_count++] = id;
        }

        public void AddRange(int[] ids)
        {
            if (_count + ids.Length > _items.Length)
            {
                Grow(ids.Length);
            }

            if (ids.Length == 1)
            {
                _items[_count++] = ids[0];
                return;
            }

            ids.CopyTo(_items, _count);
            _count += ids.Length;
        }

        public readonly int[] ToArray() => _items.AsSpan(0, _count).ToArray();

        public void Dispose()
        {
            ArrayPool<int>.Shared.Return(_items);
            _items = [];
        }

        private void Grow(int extra)
        {
            int[] larger = ArrayPool<int>.Shared.Rent(Math.Max(_items.Length * 2, _count + extra));
            _items.AsSpan(0, _count).CopyTo(larger);
            ArrayPool<int>.Shared.Return(_items);
            _items = larger;
        }
    }
}
