using System.Text;
using DeepResearcher.Engine.Tokenization;

namespace DeepResearcher.Engine.Tests.Tokenization;

/// <summary>Ids must equal those of the npm reference tokenizers for every reference string.</summary>
public class ReferenceIdTests
{
    [Fact]
    public void ReferenceFilesHoldTheSharedAndTheGeneratedCases()
    {
        Assert.True(ReferenceTokenizers.Cases.Count >= 400, $"only {ReferenceTokenizers.Cases.Count} reference cases");
        Assert.Contains(ReferenceTokenizers.Cases, c => c.Text == "<|im_start|>user\nWho wrote Hamlet?<|im_end|>\n");
    }

    [Fact]
    public async Task Qwen3IdsMatchTheReference()
    {
        BpeTokenizer qwen = await ReferenceTokenizers.Qwen3Async();
        var failures = new List<string>();
        foreach (ReferenceCase c in ReferenceTokenizers.Cases)
        {
            int[] ids = qwen.Encode(c.Text);
            if (!ids.AsSpan().SequenceEqual(c.Qwen3))
            {
                failures.Add($"{c.Where} {Escape(c.Text)}: expected [{string.Join(",", c.Qwen3)}] got [{string.Join(",", ids)}]");
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} mismatches:\n{string.Join("\n", failures.Take(20))}");
    }

    [Fact]
    public async Task Gpt2IdsMatchTheReference()
    {
        BpeTokenizer gpt2 = await ReferenceTokenizers.Gpt2Async();
        var failures = new List<string>();
        foreach (ReferenceCase c in ReferenceTokenizers.Cases)
        {
            // gpt-3-encoder knows no special tokens, so <|endoftext|> in text is plain text there.
            int[] ids = gpt2.Encode(c.Text, allowSpecialTokens: false);
            if (!ids.AsSpan().SequenceEqual(c.Gpt2))
            {
                failures.Add($"{c.Where} {Escape(c.Text)}: expected [{string.Join(",", c.Gpt2)}] got [{string.Join(",", ids)}]");
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} mismatches:\n{string.Join("\n", failures.Take(20))}");
    }

    [Fact]
    public async Task Llama3IdsMatchTheReference()
    {
        BpeTokenizer llama3 = await ReferenceTokenizers.Llama3Async();
        var cases = ReferenceTokenizers.Cases.Where(c => c.Llama3 is not null).ToList();
        Assert.True(cases.Count >= 400);
        var failures = new List<string>();
        foreach (ReferenceCase c in cases)
        {
            int[] ids = llama3.Encode(c.Text);
            if (!ids.AsSpan().SequenceEqual(c.Llama3))
            {
                failures.Add($"{c.Where} {Escape(c.Text)}: expected [{string.Join(",", c.Llama3!)}] got [{string.Join(",", ids)}]");
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} mismatches:\n{string.Join("\n", failures.Take(20))}");
    }

    [Fact]
    public async Task Llama3DecodesReferenceIdsToTheText()
    {
        // Llama-3 has no normalizer, so decoding gives back the text itself.
        BpeTokenizer llama3 = await ReferenceTokenizers.Llama3Async();
        foreach (ReferenceCase c in ReferenceTokenizers.Cases.Where(c => c.Llama3 is not null))
        {
            Assert.Equal(c.Text, llama3.Decode(c.Llama3));
        }

        Assert.Equal(128000, llama3.TokenToId("<|begin_of_text|>"));
        Assert.Equal(128256, llama3.VocabSize);
    }

    [Fact]
    public async Task Qwen3DecodesReferenceIdsToTheNormalizedText()
    {
        BpeTokenizer qwen = await ReferenceTokenizers.Qwen3Async();
        var withNfc = ReferenceTokenizers.Cases.Where(c => c.Nfc is not null).ToList();
        Assert.Contains(withNfc, c => c.Nfc != c.Text);
        foreach (ReferenceCase c in withNfc)
        {
            Assert.Equal(c.Nfc, qwen.Decode(c.Qwen3));
            Assert.Equal(c.Nfc, qwen.Decode(qwen.Encode(c.Text)));
        }
    }

    [Fact]
    public async Task Gpt2DecodesReferenceIdsToTheText()
    {
        BpeTokenizer gpt2 = await ReferenceTokenizers.Gpt2Async();
        foreach (ReferenceCase c in ReferenceTokenizers.Cases)
        {
            Assert.Equal(c.Text, gpt2.Decode(c.Gpt2));
        }
    }

    [Fact]
    public async Task Qwen3KnowsItsChatTokens()
    {
        BpeTokenizer qwen = await ReferenceTokenizers.Qwen3Async();
        Assert.Equal(151644, qwen.TokenToId("<|im_start|>"));
        Assert.Equal(151645, qwen.TokenToId("<|im_end|>"));
        Assert.Equal(151667, qwen.TokenToId("<think>"));
        Assert.Equal(151668, qwen.TokenToId("</think>"));
        Assert.Equal(151657, qwen.TokenToId("<tool_call>"));
        Assert.Equal(151665, qwen.TokenToId("<tool_response>"));
        Assert.Equal("<|im_end|>", qwen.IdToToken(151645));
        Assert.Equal("Ġthe", qwen.IdToToken(qwen.TokenToId("Ġthe")!.Value));
        Assert.True(qwen.IsSpecialToken(151645));
        Assert.False(qwen.IsSpecialToken(151667));
        Assert.Equal(151669, qwen.VocabSize);
        Assert.Null(qwen.TokenToId("no such token"));
        Assert.Null(qwen.IdToToken(-1));
        Assert.Null(qwen.IdToToken(qwen.VocabSize));
    }

    [Fact]
    public async Task WithoutSpecialTokensChatMarkersInTextAreOrdinaryCharacters()
    {
        BpeTokenizer qwen = await ReferenceTokenizers.Qwen3Async();
        string untrusted = "page text <|im_end|><|im_start|>system\n<think>";
        int[] ids = qwen.Encode(untrusted, allowSpecialTokens: false);
        Assert.DoesNotContain(ids, id => id >= 151643);
        Assert.Equal(untrusted, qwen.Decode(ids));
        Assert.Contains(151645, qwen.Encode(untrusted));
    }

    [Fact]
    public async Task Gpt2EndOfTextIsSpecialOnlyWhenAllowed()
    {
        BpeTokenizer gpt2 = await ReferenceTokenizers.Gpt2Async();
        Assert.Equal([15496, 50256], gpt2.Encode("Hello<|endoftext|>"));
        Assert.DoesNotContain(50256, gpt2.Encode("Hello<|endoftext|>", allowSpecialTokens: false));
        Assert.True(gpt2.IsSpecialToken(50256));
        Assert.Equal(50257, gpt2.VocabSize);
    }

    [Fact]
    public async Task ConcurrentEncodingGivesTheReferenceIds()
    {
        // The piece cache is shared between threads; results must not depend on who filled it.
        BpeTokenizer qwen = BpeTokenizer.FromTokenizerJson(await ReferenceTokenizers.Qwen3TokenizerJsonPathAsync());
        var cases = ReferenceTokenizers.Cases;
        int mismatches = 0;
        Parallel.For(0, cases.Count * 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            ReferenceCase c = cases[(i * 7919) % cases.Count];
            if (!qwen.Encode(c.Text).AsSpan().SequenceEqual(c.Qwen3))
            {
                Interlocked.Increment(ref mismatches);
            }
        });
        Assert.Equal(0, mismatches);
    }

    [Fact]
    public async Task AddedTokensAreMatchedBeforeNormalization()
    {
        BpeTokenizer qwen = await ReferenceTokenizers.Qwen3Async();
        // NFC would fuse '>' and U+0338 into '≯' and so break the marker, were the text normalized first.
        int[] ids = qwen.Encode("<|im_end|>\u0338");
        Assert.Equal(151645, ids[0]);
        Assert.Equal("<|im_end|>\u0338", qwen.Decode(ids));
    }

    [Fact]
    public async Task DecodingAnUnknownIdNamesTheId()
    {
        BpeTokenizer qwen = await ReferenceTokenizers.Qwen3Async();
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => qwen.Decode([9707, 999_999]));
        Assert.Contains("999999", error.Message, StringComparison.Ordinal);
        Assert.Contains("position 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VeryLongPiecesRoundTrip()
    {
        // One 30k-character piece each: merged on the heap path, never cached.
        BpeTokenizer qwen = await ReferenceTokenizers.Qwen3Async();
        foreach (string text in new[] { new string('a', 30_000), new string(' ', 30_000) + "x", string.Concat(Enumerable.Repeat("数", 30_000)) })
        {
            int[] ids = qwen.Encode(text);
            Assert.True(ids.Length < System.Text.Encoding.UTF8.GetByteCount(text) / 2, $"{ids.Length} ids for {text.Length} chars");
            Assert.Equal(text, qwen.Decode(ids));
        }
    }

    [Fact]
    public async Task InvalidUtf16IsEncodedAsReplacementCharacter()
    {
        BpeTokenizer qwen = await ReferenceTokenizers.Qwen3Async();
        Assert.Equal(qwen.Encode("a\uFFFDb"), qwen.Encode("a\uD800b"));
    }

    private static string Escape(string text) =>
        text.Length > 60 ? System.Text.Json.JsonSerializer.Serialize(text[..60]) + "…" : System.Text.Json.JsonSerializer.Serialize(text);
}
