using DeepResearcher.Engine.Tokenization;

namespace DeepResearcher.Engine.Tests.Tokenization;

public class BpeTrainerTests
{
    private static readonly string[] ChatTokens =
        ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<think>", "</think>", "<tool_call>", "</tool_call>", "<tool_response>", "</tool_response>"];

    private static readonly Lazy<BpeTokenizer> Trained = new(() => BpeTrainer.Train(Corpus(), 2000, ChatTokens));

    [Fact]
    public void TrainedVocabularyHasTheRequestedSizeAndTheChatTokensAtTheEnd()
    {
        BpeTokenizer tokenizer = Trained.Value;
        Assert.Equal(2000, tokenizer.VocabSize);
        Assert.Equal(2000 - 256 - ChatTokens.Length, tokenizer.MergeCount);
        Assert.Equal(2000 - ChatTokens.Length, tokenizer.TokenToId("<|endoftext|>"));
        Assert.Equal(1999, tokenizer.TokenToId("</tool_response>"));
        Assert.All(tokenizer.AddedTokens, t => Assert.True(t.Special));
    }

    [Fact]
    public void FrequentWordsBecomeSingleTokens()
    {
        BpeTokenizer tokenizer = Trained.Value;
        Assert.Single(tokenizer.Encode(" research"));
        Assert.Single(tokenizer.Encode(" the"));
        Assert.True(tokenizer.Encode("the agent searches the web for answers.").Length <= 8);
    }

    [Fact]
    public void EncodeThenDecodeGivesBackTheText()
    {
        BpeTokenizer tokenizer = Trained.Value;
        foreach (string text in Corpus().Take(300).Concat(Unseen()))
        {
            Assert.Equal(text, tokenizer.Decode(tokenizer.Encode(text)));
        }
    }

    [Fact]
    public void ChatTokensEncodeAsOneIdEach()
    {
        BpeTokenizer tokenizer = Trained.Value;
        int[] ids = tokenizer.Encode("<|im_start|>user\nhi<|im_end|>\n<think>ok</think>");
        Assert.Equal(tokenizer.TokenToId("<|im_start|>"), ids[0]);
        Assert.Contains(tokenizer.TokenToId("<|im_end|>")!.Value, ids);
        Assert.Contains(tokenizer.TokenToId("</think>")!.Value, ids);
        Assert.Equal("<|im_start|>user\nhi<|im_end|>\n<think>ok</think>", tokenizer.Decode(ids));
    }

    [Fact]
    public async Task SavedFileLoadsBackToTheSameTokenizer()
    {
        BpeTokenizer tokenizer = Trained.Value;
        using var files = new TestFiles();
        string path = files.PathOf("tokenizer.json");
        await tokenizer.SaveAsync(path, CancellationToken.None);
        Assert.Empty(Directory.GetFiles(files.Directory, "*.tmp"));

        BpeTokenizer loaded = await BpeTokenizer.FromTokenizerJsonAsync(path, CancellationToken.None);
        Assert.Equal(tokenizer.VocabSize, loaded.VocabSize);
        Assert.Equal(tokenizer.MergeCount, loaded.MergeCount);
        Assert.Equal(tokenizer.AddedTokens, loaded.AddedTokens);
        foreach (string text in Corpus().Take(200).Concat(Unseen()))
        {
            Assert.Equal(tokenizer.Encode(text), loaded.Encode(text));
        }

        // Saving the loaded tokenizer again gives the same bytes: nothing is lost on the way.
        string again = files.PathOf("again.json");
        loaded.Save(again);
        Assert.Equal(File.ReadAllBytes(path), File.ReadAllBytes(again));
    }

    [Fact]
    public void TrainingIsDeterministic()
    {
        BpeTokenizer first = BpeTrainer.Train(Corpus().Take(400), 600, ["<|im_end|>"]);
        BpeTokenizer second = BpeTrainer.Train(Corpus().Take(400), 600, ["<|im_end|>"]);
        string text = string.Join("\n", Corpus().Skip(400).Take(50));
        Assert.Equal(first.Encode(text), second.Encode(text));
    }

    [Fact]
    public void TooSmallVocabularyIsRejected()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => BpeTrainer.Train(["abc"], 260, ChatTokens));
        Assert.Contains("256", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TinyCorpusStopsWhenNoPairRepeats()
    {
        BpeTokenizer tokenizer = BpeTrainer.Train(["abab"], 1000, ["<|im_end|>"]);
        Assert.Equal(1, tokenizer.MergeCount); // "a b" twice; then "ab ab" occurs once
        Assert.Equal([256, 256], tokenizer.Encode("abab"));
    }

    [Fact]
    public async Task StableNamesPatternKeepsANameTheSameTokensInEveryContextAndSurvivesTheFile()
    {
        string[] texts =
        [
            "Kresobre Quokubul was a merchant. 'title': 'Kresobre Quokubul', 'url': 'http://127.0.0.1:8080/wiki/Kresobre_Quokubul'",
            "{\"query\": [\"Kresobre Quokubul born\"]} The population of Shiochioania is 3,383,188. So the answer is 3,383,188.",
        ];
        BpeTokenizer qwen = BpeTrainer.Train(Enumerable.Repeat(texts, 20).SelectMany(t => t), 400, ["<answer>"]);
        BpeTokenizer stable = BpeTrainer.Train(Enumerable.Repeat(texts, 20).SelectMany(t => t), 400, ["<answer>"], BpeTrainer.StableNamesPattern);

        // Qwen2's pattern glues the character before a name to it: the name's tokens depend on its neighbour.
        Assert.NotEqual(qwen.Encode(" Kresobre")[^1], qwen.Encode("/Kresobre")[^1]);

        // The stable pattern: the same tokens after a space, a quote, a slash, an underscore, a tag, or at the start.
        int[] name = stable.Encode("Kresobre");
        foreach (string before in new[] { " ", "'", "/", "_", "\"", "<answer>", "(" })
        {
            int[] ids = stable.Encode(before + "Kresobre");
            Assert.Equal(name, ids[^name.Length..]);
        }

        int[] number = stable.Encode("3,383,188");
        Assert.Equal(number, stable.Encode(" 3,383,188")[^number.Length..]);
        Assert.Equal(number, stable.Encode("<answer>3,383,188")[^number.Length..]);

        // Lower-case words still take their space, so ordinary prose costs no extra tokens.
        Assert.Single(stable.Encode(" was"));

        using var files = new TestFiles();
        string path = files.PathOf("tokenizer.json");
        await stable.SaveAsync(path, CancellationToken.None);
        Assert.Contains("\\p{Ll}", File.ReadAllText(path), StringComparison.Ordinal);
        BpeTokenizer loaded = await BpeTokenizer.FromTokenizerJsonAsync(path, CancellationToken.None);
        foreach (string text in texts.Concat(Unseen()))
        {
            Assert.Equal(stable.Encode(text), loaded.Encode(text));
            Assert.Equal(text, loaded.Decode(loaded.Encode(text)));
        }
    }

    /// <summary>
    /// A generated corpus of research-agent style text: prose over a few thousand made-up words with a Zipf-like
    /// spread (so there are enough repeated pairs for a 2k vocabulary), numbers, code, JSON, and a little non-English.
    /// </summary>
    private static IEnumerable<string> Corpus()
    {
        string[] common = ["the", "agent", "searches", "web", "for", "answers", "research", "question", "and", "of", "a", "to", "in", "source"];
        string[] onsets = ["b", "c", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "st", "tr", "ch", "sh"];
        string[] vowels = ["a", "e", "i", "o", "u", "ea", "ou", "ai"];
        string[] codas = ["", "", "n", "r", "s", "t", "l", "nd", "ng"];
        var random = new Random(42);
        string Word()
        {
            if (random.NextDouble() < 0.35)
            {
                return common[random.Next(common.Length)];
            }

            // Squaring the draw favours low indexes, so some made-up words are frequent and most are rare.
            int rank = (int)(Math.Pow(random.NextDouble(), 2) * 4000);
            var word = new System.Text.StringBuilder();
            var local = new Random(rank);
            for (int s = 0, n = 1 + local.Next(3); s < n; s++)
            {
                word.Append(onsets[local.Next(onsets.Length)]).Append(vowels[local.Next(vowels.Length)]).Append(codas[local.Next(codas.Length)]);
            }

            return word.ToString();
        }

        for (int i = 0; i < 3000; i++)
        {
            yield return (i % 10) switch
            {
                7 => $"def {Word()}_{i}(x):\n    return x * {random.Next(1000)} + {random.Next(100)}\n",
                8 => $"{{\"name\": \"web_search\", \"arguments\": {{\"query\": [\"{Word()} {Word()}\"]}}}}",
                9 => $"数字{i}和中文 café naïve {random.Next(100000)} 🙂 {Word()}",
                _ => string.Join(" ", Enumerable.Range(0, 8 + random.Next(12)).Select(_ => Word())) + (random.Next(3) == 0 ? "." : ", and"),
            };
        }
    }

    /// <summary>Text unlike the corpus: unseen scripts and symbols must still round trip through the byte tokens.</summary>
    private static IEnumerable<string> Unseen() =>
    [
        "", " ", "\n\n\t  ", "Ελληνικά γράμματα", "한국어 문장", "𝐀𝐁𝐂 👨‍👩‍👧‍👦", "don't I'LL WE'VE", "x" + new string(' ', 100) + "y",
        new string('z', 500), "\u0000\u0007\u001b[0m", "1234567890123456789",
    ];
}
