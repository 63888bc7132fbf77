using DeepResearcher.Engine.Tokenization;

namespace DeepResearcher.Engine.Tests.Tokenization;

/// <summary>Broken or unsupported files give exceptions that name the file and what is wrong.</summary>
public class BadInputTests
{
    private const string ByteLevelPreTokenizer = """{"type": "ByteLevel", "add_prefix_space": false, "use_regex": true}""";

    [Fact]
    public void MissingTokenizerJsonNamesTheFile()
    {
        string path = Path.Combine(Path.GetTempPath(), $"no-such-{Guid.NewGuid():N}", "tokenizer.json");
        var error = Assert.Throws<FileNotFoundException>(() => BpeTokenizer.FromTokenizerJson(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingGpt2FileNamesTheFile()
    {
        using var files = new TestFiles();
        string encoder = files.Write("encoder.json", "{}");
        string vocab = files.PathOf("vocab.bpe");
        var error = await Assert.ThrowsAsync<FileNotFoundException>(() => BpeTokenizer.FromGpt2FilesAsync(encoder, vocab, CancellationToken.None));
        Assert.Contains(vocab, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidJsonNamesTheFile()
    {
        using var files = new TestFiles();
        string path = files.Write("tokenizer.json", "{ \"model\": ");
        var error = Assert.Throws<InvalidDataException>(() => BpeTokenizer.FromTokenizerJson(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("JSON", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NonBpeModelIsRejected()
    {
        using var files = new TestFiles();
        string path = files.Write("tokenizer.json", """{"model": {"type": "Unigram", "vocab": [["a", 0.0]]}}""");
        var error = Assert.Throws<InvalidDataException>(() => BpeTokenizer.FromTokenizerJson(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("Unigram", error.Message, StringComparison.Ordinal);
        Assert.Contains("only BPE", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MergeWithThreeTokensIsRejected()
    {
        using var files = new TestFiles();
        string path = files.Write("tokenizer.json", TokenizerJson(ByteVocab(), """["a b c"]"""));
        var error = Assert.Throws<InvalidDataException>(() => BpeTokenizer.FromTokenizerJson(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("model.merges[0]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MergeOfAnUnknownTokenIsRejected()
    {
        using var files = new TestFiles();
        string path = files.Write("tokenizer.json", TokenizerJson(ByteVocab(), """[["a", "b"], ["ab", "zz"]]""", extraVocab: """, "ab": 256"""));
        var error = Assert.Throws<InvalidDataException>(() => BpeTokenizer.FromTokenizerJson(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("merge #1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MergeWhoseResultIsMissingFromTheVocabIsRejected()
    {
        using var files = new TestFiles();
        string path = files.Write("tokenizer.json", TokenizerJson(ByteVocab(), """[["a", "b"]]"""));
        var error = Assert.Throws<InvalidDataException>(() => BpeTokenizer.FromTokenizerJson(path));
        Assert.Contains("\"ab\", which is not in the vocab", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void VocabWithoutAllBytesIsNotByteLevel()
    {
        using var files = new TestFiles();
        string path = files.Write("tokenizer.json", TokenizerJson("\"a\": 0, \"b\": 1", "[]"));
        var error = Assert.Throws<InvalidDataException>(() => BpeTokenizer.FromTokenizerJson(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("byte-level", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TokenWithARealSpaceIsNotByteLevel()
    {
        using var files = new TestFiles();
        string path = files.Write("tokenizer.json", TokenizerJson(ByteVocab(), "[]", extraVocab: """, "a b": 256"""));
        var error = Assert.Throws<InvalidDataException>(() => BpeTokenizer.FromTokenizerJson(path));
        Assert.Contains("\"a b\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingByteLevelPreTokenizerIsRejected()
    {
        using var files = new TestFiles();
        string json = TokenizerJson(ByteVocab(), "[]").Replace(ByteLevelPreTokenizer, """{"type": "Whitespace"}""", StringComparison.Ordinal);
        string path = files.Write("tokenizer.json", json);
        var error = Assert.Throws<InvalidDataException>(() => BpeTokenizer.FromTokenizerJson(path));
        Assert.Contains("Whitespace", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MalformedGpt2MergeLineNamesFileAndLine()
    {
        using var files = new TestFiles();
        string encoder = files.Write("encoder.json", "{" + ByteVocab() + "}");
        string vocab = files.Write("vocab.bpe", "#version: 0.2\na b\nc\n");
        var error = Assert.Throws<InvalidDataException>(() => BpeTokenizer.FromGpt2Files(encoder, vocab));
        Assert.Contains(vocab, error.Message, StringComparison.Ordinal);
        Assert.Contains("line 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SmallHandWrittenTokenizerLoadsFromStringMerges()
    {
        // The "a b" string form and the ["a", "b"] array form of merges load to the same model.
        using var files = new TestFiles();
        string stringForm = files.Write("strings.json", TokenizerJson(ByteVocab(), """["a b", "ab c"]""", extraVocab: """, "ab": 256, "abc": 257"""));
        string arrayForm = files.Write("arrays.json", TokenizerJson(ByteVocab(), """[["a", "b"], ["ab", "c"]]""", extraVocab: """, "ab": 256, "abc": 257"""));
        foreach (string path in new[] { stringForm, arrayForm })
        {
            BpeTokenizer tokenizer = BpeTokenizer.FromTokenizerJson(path);
            Assert.Equal([257, 257, 256, 'x' - 33], tokenizer.Encode("abcabcabx"));
            Assert.Equal("abcabcabx", tokenizer.Decode(tokenizer.Encode("abcabcabx")));
        }
    }

    /// <summary>The 256 byte tokens, each byte's character with id = byte value.</summary>
    private static string ByteVocab()
    {
        var entries = new List<string>();
        foreach (int b in Enumerable.Range(0, 256))
        {
            bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            int shifted = Enumerable.Range(0, b).Count(x => !((x >= '!' && x <= '~') || (x >= 0xA1 && x <= 0xAC) || (x >= 0xAE && x <= 0xFF)));
            char c = printable ? (char)b : (char)(256 + shifted);
            entries.Add($"{System.Text.Json.JsonSerializer.Serialize(c.ToString())}: {Id(b)}");
        }

        return string.Join(", ", entries);
    }

    /// <summary>Ids ordered by the byte-level character, so printable ASCII starts at 0 with '!' as GPT-2 does.</summary>
    private static int Id(int b)
    {
        bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
        if (printable)
        {
            return Enumerable.Range(0, b).Count(x => (x >= '!' && x <= '~') || (x >= 0xA1 && x <= 0xAC) || (x >= 0xAE && x <= 0xFF));
        }

        return 188 + Enumerable.Range(0, b).Count(x => !((x >= '!' && x <= '~') || (x >= 0xA1 && x <= 0xAC) || (x >= 0xAE && x <= 0xFF)));
    }

    private static string TokenizerJson(string vocab, string merges, string extraVocab = "") => $$"""
        {
          "version": "1.0",
          "added_tokens": [],
          "normalizer": null,
          "pre_tokenizer": {{ByteLevelPreTokenizer}},
          "decoder": {"type": "ByteLevel"},
          "model": {"type": "BPE", "vocab": { {{vocab}}{{extraVocab}} }, "merges": {{merges}} }
        }
        """;
}
