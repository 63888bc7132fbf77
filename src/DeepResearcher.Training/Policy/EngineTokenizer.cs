using DeepResearcher.Core.Agent;
using DeepResearcher.Engine.Tokenization;

namespace DeepResearcher.Training.Policy;

/// <summary>The engine's BPE tokenizer as the agent loop sees it. Chat special tokens in the text map to their ids.</summary>
public sealed class EngineTokenizer(BpeTokenizer tokenizer) : ITextTokenizer
{
    /// <summary>The chat and protocol tokens a tokenizer trained for the research protocol must keep whole.</summary>
    public static IReadOnlyList<string> ChatTokens { get; } =
        ["<|im_start|>", "<|im_end|>", "<think>", "</think>", "<tool_call>", "</tool_call>", "<answer>", "</answer>", "<tool_response>", "</tool_response>"];

    public BpeTokenizer Inner => tokenizer;

    public int[] Encode(string text) => tokenizer.Encode(text, allowSpecialTokens: true);

    public int[] EncodeUntrusted(string text) => tokenizer.Encode(text, allowSpecialTokens: false);

    public string Decode(ReadOnlySpan<int> ids) => tokenizer.Decode(ids);
}
