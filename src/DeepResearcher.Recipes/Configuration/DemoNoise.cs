namespace DeepResearcher.Recipes.Configuration;

/// <summary><c>sft.demo_noise</c>: the expert demonstrator's imperfection.</summary>
public enum DemoNoise
{
    /// <summary><c>varied</c>: vague first queries, unneeded browses, rare give-ups.</summary>
    Varied,

    /// <summary><c>hasty</c>: answers the last step from the result snippets with chance <c>sft.demo_hasty_rate</c>.</summary>
    Hasty,

    /// <summary><c>none</c>: a flawless demonstrator.</summary>
    None,
}
