using DeepResearcher.Core.Agent;
using DeepResearcher.Engine.Tokenization;

namespace DeepResearcher.Training.Policy;

/// <summary>The engine's BPE tokenizer as the agent loop sees it. Chat special tokens in the text map to their ids.</summary>
public sealed class EngineTokenizer(BpeTokenizer tokenizer) : ITextTokenizer
{
    public BpeTokenizer Inner => tokenizer;

    public int[] Encode(string text) => tokenizer.Encode(text, allowSpecialTokens: true);

    public int[] EncodeUntrusted(string text) => tokenizer.Encode(text, allowSpecialTokens: false);

    public string Decode(ReadOnlySpan<int> ids) => tokenizer.Decode(ids);
}
