using System.Text;
using DeepResearcher.Engine.Tokenization;

namespace DeepResearcher.Engine.Tests.Tokenization;

public class StreamingDecoderTests
{
    [Fact]
    public async Task StreamedChunksJoinToTheFullDecodeAndNeverSplitACharacter()
    {
        BpeTokenizer qwen = await ReferenceTokenizers.Qwen3Async();
        foreach (ReferenceCase c in ReferenceTokenizers.Cases)
        {
            StreamingDecoder decoder = qwen.CreateStreamingDecoder();
            var streamed = new StringBuilder();
            foreach (int id in c.Qwen3)
            {
                string chunk = decoder.Append(id);
                Assert.False(chunk.Contains('\uFFFD', StringComparison.Ordinal), $"{c.Where}: a chunk held a broken character");
                Assert.True(chunk.Length == 0 || !char.IsHighSurrogate(chunk[^1]), $"{c.Where}: a chunk ended inside a surrogate pair");
                streamed.Append(chunk);
            }

            streamed.Append(decoder.Flush());
            Assert.Equal(qwen.Decode(c.Qwen3), streamed.ToString());
        }
    }

    [Fact]
    public async Task CharacterSplitAcrossTokensIsHeldBackUntilComplete()
    {
        BpeTokenizer qwen = await ReferenceTokenizers.Qwen3Async();
        // Qwen has no token for 𝔘 and friends: a token holds their first three bytes, the next one the last byte.
        int[] ids = qwen.Encode("𝔘𝔫𝔦𝔠𝔬𝔡𝔢");
        StreamingDecoder decoder = qwen.CreateStreamingDecoder();
        var chunks = ids.Select(decoder.Append).ToList();
        Assert.Contains(string.Empty, chunks);
        Assert.Equal("𝔘𝔫𝔦𝔠𝔬𝔡𝔢", string.Concat(chunks) + decoder.Flush());
    }

    [Fact]
    public async Task UnfinishedCharacterAtTheEndBecomesReplacementCharacterOnFlush()
    {
        BpeTokenizer qwen = await ReferenceTokenizers.Qwen3Async();
        // "ð" is the byte-level spelling of the lone byte 0xF0, the lead byte of a four-byte character.
        int leadByte = qwen.TokenToId("ð")!.Value;
        StreamingDecoder decoder = qwen.CreateStreamingDecoder();
        Assert.Equal("a", decoder.Append(qwen.Encode("a")[0]));
        Assert.Equal(string.Empty, decoder.Append(leadByte));
        Assert.Equal("\uFFFD", decoder.Flush());
        Assert.Equal("b", decoder.Append(qwen.Encode("b")[0]));
    }

    [Fact]
    public async Task RandomTokenStreamsDecodeLikeTheWholeSequence()
    {
        // Random byte-level tokens make invalid UTF-8 too; streaming must replace it exactly as one-shot decoding does.
        BpeTokenizer qwen = await ReferenceTokenizers.Qwen3Async();
        var random = new Random(1234);
        for (int trial = 0; trial < 200; trial++)
        {
            int[] ids = [.. Enumerable.Range(0, random.Next(1, 40)).Select(_ => random.Next(0, qwen.VocabSize))];
            StreamingDecoder decoder = qwen.CreateStreamingDecoder();
            string streamed = decoder.Append(ids) + decoder.Flush();
            Assert.Equal(qwen.Decode(ids), streamed);
        }
    }

    [Fact]
    public async Task UnknownIdIsRejected()
    {
        BpeTokenizer qwen = await ReferenceTokenizers.Qwen3Async();
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => qwen.CreateStreamingDecoder().Append(-5));
        Assert.Contains("-5", error.Message, StringComparison.Ordinal);
    }
}
