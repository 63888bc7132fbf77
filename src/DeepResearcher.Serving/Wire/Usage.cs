namespace DeepResearcher.Serving.Wire;

/// <summary>Token counts of a request; completion tokens include a stop token the model sampled.</summary>
public sealed record Usage(int PromptTokens, int CompletionTokens)
{
    public int TotalTokens => PromptTokens + CompletionTokens;
}
