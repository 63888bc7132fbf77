using System.Text.Json.Nodes;
using DeepResearcher.Engine.Tokenization;

namespace DeepResearcher.Engine.Tests.Tokenization;

/// <summary>
/// The hand-written split matchers must cut text exactly as .NET's regex engine cuts it with the same pattern.
/// A pattern wrapped in (?: ) is not recognised as a known one, so it runs on the regex fallback; both
/// tokenizers share vocab and merges, so equal ids mean equal pieces. Text stays in the BMP, where .NET's
/// \p{L} and \p{N} see code points.
/// </summary>
public class SplitPatternTests
{
    private static readonly string[] Fragments =
    [
        "a", "Z", "é", "ß", "数", "ひ", "ж", "1", "٣", "Ⅻ", "½", "²", " ", " ", " ", "  ", "\t", "\n", "\r", "\r\n", "\u00A0", "\u2003", "\u3000",
        "\u0085", "\u000B", "'", "s", "t", "re", "ve", "ll", "m", "d", "S", "T", "RE", "Ve", "LL", "M", "D", ".", ",", "!", "—", "-", "_", "$", "<",
        ">", "(", "\u0301", "\u200B", "x", "word", "Word", "42", "3.14", "don't", "I'M", "\u00AD", "#",
    ];

    [Fact]
    public async Task Qwen2MatcherCutsLikeTheRegex()
    {
        BpeTokenizer handWritten = await ReferenceTokenizers.Qwen3Async();
        using var files = new TestFiles();
        string path = files.PathOf("qwen-regex.json");
        await handWritten.SaveAsync(path, CancellationToken.None);
        BpeTokenizer regex = BpeTokenizer.FromTokenizerJson(WrapSplitPattern(path));
        AssertSameIds(handWritten, regex, seed: 1);
    }

    [Fact]
    public async Task Llama3MatcherCutsLikeTheRegex()
    {
        BpeTokenizer handWritten = await ReferenceTokenizers.Llama3Async();
        using var files = new TestFiles();
        string path = files.PathOf("llama3-regex.json");
        await handWritten.SaveAsync(path, CancellationToken.None);
        BpeTokenizer regex = BpeTokenizer.FromTokenizerJson(WrapSplitPattern(path));
        AssertSameIds(handWritten, regex, seed: 3);
    }

    [Fact]
    public async Task Gpt2MatcherCutsLikeTheRegex()
    {
        BpeTokenizer handWritten = await ReferenceTokenizers.Gpt2Async();
        using var files = new TestFiles();
        string path = files.PathOf("gpt2-regex.json");
        handWritten.Save(path);
        BpeTokenizer regex = BpeTokenizer.FromTokenizerJson(WrapSplitPattern(path, gpt2Pattern: true));
        AssertSameIds(handWritten, regex, seed: 2);
    }

    private static void AssertSameIds(BpeTokenizer handWritten, BpeTokenizer regex, int seed)
    {
        var random = new Random(seed);
        for (int trial = 0; trial < 3000; trial++)
        {
            string text = string.Concat(Enumerable.Range(0, random.Next(1, 12)).Select(_ => Fragments[random.Next(Fragments.Length)]));
            Assert.True(
                handWritten.Encode(text).AsSpan().SequenceEqual(regex.Encode(text)),
                $"pieces differ for {System.Text.Json.JsonSerializer.Serialize(text)}");
        }
    }

    /// <summary>Rewrites a saved tokenizer.json so that its split pattern is the same regex in a non-capturing group.</summary>
    private static string WrapSplitPattern(string path, bool gpt2Pattern = false)
    {
        JsonNode root = JsonNode.Parse(File.ReadAllText(path))!;
        if (gpt2Pattern)
        {
            Assert.Equal("ByteLevel", (string?)root["pre_tokenizer"]!["type"]);
            Assert.True((bool)root["pre_tokenizer"]!["use_regex"]!);
            root["pre_tokenizer"] = JsonNode.Parse("""
                {"type": "Sequence", "pretokenizers": [
                  {"type": "Split", "pattern": {"Regex": "(?:'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+)"}, "behavior": "Isolated", "invert": false},
                  {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": false, "use_regex": false}]}
                """);
        }
        else
        {
            JsonNode split = root["pre_tokenizer"]!["pretokenizers"]![0]!;
            split["pattern"]!["Regex"] = "(?:" + (string)split["pattern"]!["Regex"]! + ")";
        }

        string wrapped = Path.Combine(Path.GetDirectoryName(path)!, "wrapped-" + Path.GetFileName(path));
        File.WriteAllText(wrapped, root.ToJsonString());
        return wrapped;
    }
}
