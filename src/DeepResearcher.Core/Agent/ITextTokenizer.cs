namespace DeepResearcher.Core.Agent;

/// <summary>The tokenizer of a token-level model, as the agent loop needs it.</summary>
public interface ITextTokenizer
{
    int[] Encode(string text);

    string Decode(ReadOnlySpan<int> ids);
}
