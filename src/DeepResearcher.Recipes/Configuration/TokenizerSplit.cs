namespace DeepResearcher.Recipes.Configuration;

/// <summary><c>model.tokenizer_split</c>: how a tokenizer trained from scratch cuts text into words.</summary>
public enum TokenizerSplit
{
    /// <summary><c>qwen2</c>: Qwen2's pattern.</summary>
    Qwen2,

    /// <summary><c>stable-names</c>: capitalised words and numbers never take the character before them.</summary>
    StableNames,
}
