namespace DeepResearcher.Recipes.Configuration;

/// <summary><c>trainer.backend</c>: where the policy is trained and sampled.</summary>
public enum PolicyBackendKind
{
    /// <summary><c>local</c>: the in-process engine (a model from scratch, or a Hugging Face checkpoint with or without LoRA).</summary>
    Local,

    /// <summary>
    /// <c>tinker</c>: a Tinker-compatible training service (hosted Tinker, SkyRL tx, or <c>deepresearcher serve training</c>)
    /// named by the <c>tinker</c> section; the agent loop, tools, rewards, advantages and masks stay in this process.
    /// </summary>
    Tinker,
}
