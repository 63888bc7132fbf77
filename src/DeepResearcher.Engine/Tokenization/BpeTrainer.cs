using System.Text;

namespace DeepResearcher.Engine.Tokenization;

/// <summary>
/// Learns a byte-level BPE vocabulary from text: NFC, a split pattern (Qwen2's unless told otherwise), UTF-8 bytes
/// as the 256 initial tokens, then repeatedly merges the most frequent adjacent pair (ties: the smaller pair of ids)
/// until the vocabulary is full or no pair occurs twice. Special tokens are added after the learned tokens.
/// </summary>
public static class BpeTrainer
{
    /// <summary>
    /// Qwen2's split pattern, except that a word starting with a capital letter, and a number, never takes the
    /// character before it. Qwen2 glues one leading space, quote, slash or underscore to a word, so a name is
    /// different tokens after each (" Kresobre", "'Kresobre", "/Kresobre", "_Kresobre"), and a model from scratch
    /// must learn each pair of spellings before it can copy a name from one context into another. With this
    /// pattern a name is the same tokens wherever it stands (the space before it is a token of its own), so copying
    /// it is a token-for-token copy. Numbers are kept whole for the same reason. Plain .NET and Oniguruma syntax, so
    /// Hugging Face tokenizers reads it too.
    /// </summary>
    public const string StableNamesPattern =
        @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{Ll}\p{L}*|\p{L}+|\p{N}+| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    private const int MinPairFrequency = 2;

    /// <summary>Trains a tokenizer; <paramref name="vocabSize"/> counts the 256 byte tokens, the merges and the special tokens.</summary>
    /// <param name="splitPattern">The pre-tokenizer's regex (Hugging Face Split, Isolated); null = Qwen2's.</param>
    /// <exception cref="ArgumentOutOfRangeException">The vocabulary cannot hold the byte tokens and the special tokens.</exception>
    /// <exception cref="InvalidDataException"><paramref name="splitPattern"/> is not a regex .NET can run.</exception>
    public static BpeTokenizer Train(IEnumerable<string> corpus, int vocabSize, IReadOnlyList<string> specialTokens, string? splitPattern = null)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        ArgumentNullException.ThrowIfNull(specialTokens);
        if (specialTokens.Any(string.IsNullOrEmpty) || specialTokens.Distinct(StringComparer.Ordinal).Count() != specialTokens.Count)
        {
            throw new ArgumentException("Special tokens must be non-empty and distinct.", nameof(specialTokens));
        }

        int learnedVocabSize = vocabSize - specialTokens.Count;
        if (learnedVocabSize < 256)
        {
            throw new ArgumentOutOfRangeException(
                nameof(vocabSize), vocabSize, $"A byte-level vocabulary needs at least 256 + {specialTokens.Count} (special tokens) entries.");
        }

        PreTokenizer preTokenizer = splitPattern is null
            ? new SplitPatternPreTokenizer(SplitPattern.Qwen2)
            : PreTokenizer.ForPattern(splitPattern, appliedByByteLevel: false, "split pattern");
        var words = CountWords(corpus, preTokenizer, specialTokens);

        var tokens = new List<byte[]>(learnedVocabSize);
        var idByBytes = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int b = 0; b < 256; b++)
        {
            tokens.Add([(byte)b]);
            idByBytes[ByteLevelAlphabet.Encode([(byte)b])] = b;
        }

        var merges = LearnMerges(words, tokens, idByBytes, learnedVocabSize);

        var vocab = new Dictionary<string, int>(tokens.Count, StringComparer.Ordinal);
        for (int id = 0; id < tokens.Count; id++)
        {
            vocab[ByteLevelAlphabet.Encode(tokens[id])] = id;
        }

        var mergeStrings = merges.Select(m => (ByteLevelAlphabet.Encode(tokens[m.Left]), ByteLevelAlphabet.Encode(tokens[m.Right]))).ToList();
        var added = specialTokens.Select((content, i) => new AddedToken(tokens.Count + i, content, Special: true)).ToList();
        return new BpeTokenizer(new BpeModelDefinition("trained tokenizer", vocab, mergeStrings, added, preTokenizer, NormalizeNfc: true, IgnoreMerges: false));
    }

    private static List<Word> CountWords(IEnumerable<string> corpus, PreTokenizer preTokenizer, IReadOnlyList<string> specialTokens)
    {
        var matcher = new AddedTokenMatcher(specialTokens.Select((t, i) => new AddedToken(i, t, Special: true)));
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var lookup = counts.GetAlternateLookup<ReadOnlySpan<char>>();

        void CountSegment(ReadOnlySpan<char> segment)
        {
            if (NfcNormalizer.NormalizeOrNull(segment) is { } normalized)
            {
                segment = normalized;
            }

            int start = 0;
            while (start < segment.Length)
            {
                int end = preTokenizer.NextPieceEnd(segment, start);
                ReadOnlySpan<char> piece = segment[start..end];
                lookup[piece] = lookup.TryGetValue(piece, out int count) ? count + 1 : 1;
                start = end;
            }
        }

        foreach (string document in corpus)
        {
            int position = 0;
            while (!matcher.IsEmpty && matcher.TryFindNext(document, position, out int index, out AddedToken? token))
            {
                CountSegment(document.AsSpan(position, index - position));
                position = index + token!.Content.Length;
            }

            CountSegment(document.AsSpan(position));
        }

        return [.. counts.Select(entry => new Word(Encoding.UTF8.GetBytes(entry.Key).Select(b => (int)b).ToList(), entry.Value))];
    }

    private static List<(int Left, int Right)> LearnMerges(List<Word> words, List<byte[]> tokens, Dictionary<string, int> idByBytes, int learnedVocabSize)
    {
        var pairCounts = new Dictionary<long, long>();
        var wordsWithPair = new Dictionary<long, HashSet<int>>();
        for (int w = 0; w < words.Count; w++)
        {
            AddPairs(words, w, +1, pairCounts, wordsWithPair, changed: null);
        }

        // Most frequent first; ties go to the smaller packed pair so training is deterministic. Stale entries are skipped on pop.
        var queue = new PriorityQueue<long, (long NegativeCount, long Pair)>();
        foreach (var (pair, count) in pairCounts)
        {
            queue.Enqueue(pair, (-count, pair));
        }

        var merges = new List<(int, int)>();
        var changed = new HashSet<long>();
        while (tokens.Count < learnedVocabSize && queue.TryDequeue(out long best, out var priority))
        {
            long count = pairCounts.GetValueOrDefault(best);
            if (-priority.NegativeCount != count)
            {
                continue;
            }

            if (count < MinPairFrequency)
            {
                break;
            }

            int left = (int)(best >> 32);
            int right = (int)best;
            byte[] mergedBytes = [.. tokens[left], .. tokens[right]];
            string key = ByteLevelAlphabet.Encode(mergedBytes);
            if (!idByBytes.TryGetValue(key, out int merged))
            {
                merged = tokens.Count;
                tokens.Add(mergedBytes);
                idByBytes[key] = merged;
            }

            merges.Add((left, right));
            changed.Clear();
            foreach (int w in wordsWithPair[best].ToArray())
            {
                AddPairs(words, w, -1, pairCounts, wordsWithPair, changed);
                MergeInWord(words[w].Symbols, left, right, merged);
                AddPairs(words, w, +1, pairCounts, wordsWithPair, changed);
            }

            foreach (long pair in changed)
            {
                long updated = pairCounts.GetValueOrDefault(pair);
                if (updated > 0)
                {
                    queue.Enqueue(pair, (-updated, pair));
                }
            }
        }

        return merges;
    }

    private static void AddPairs(List<Word> words, int w, int sign, Dictionary<long, long> pairCounts, Dictionary<long, HashSet<int>> wordsWithPair, HashSet<long>? changed)
    {
        List<int> symbols = words[w].Symbols;
        long frequency = words[w].Count * (long)sign;
        for (int i = 0; i + 1 < symbols.Count; i++)
        {
            long pair = ((long)symbols[i] << 32) | (uint)symbols[i + 1];
            long updated = pairCounts.GetValueOrDefault(pair) + frequency;
            if (updated == 0)
            {
                pairCounts.Remove(pair);
            }
            else
            {
                pairCounts[pair] = updated;
            }

            changed?.Add(pair);
            if (sign > 0)
            {
                if (!wordsWithPair.TryGetValue(pair, out var set))
                {
                    wordsWithPair[pair] = set = [];
                }

                set.Add(w);
            }
        }
    }

    private static void MergeInWord(List<int> symbols, int left, int right, int merged)
    {
        int write = 0;
        for (int read = 0; read < symbols.Count; read++)
        {
            if (read + 1 < symbols.Count && symbols[read] == left && symbols[read + 1] == right)
            {
                symbols[write++] = merged;
                read++;
            }
            else
            {
                symbols[write++] = symbols[read];
            }
        }

        symbols.RemoveRange(write, symbols.Count - write);
    }

    private sealed record Word(List<int> Symbols, int Count);
}
