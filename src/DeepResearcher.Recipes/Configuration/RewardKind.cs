namespace DeepResearcher.Recipes.Configuration;

/// <summary><c>reward.kind</c>: what scores a rollout.</summary>
public enum RewardKind
{
    /// <summary><c>f1</c>: the original's set-F1, −1 for format errors.</summary>
    F1,

    /// <summary><c>em</c>: exact match.</summary>
    Em,

    /// <summary><c>judge</c>: an LLM judge's verdict.</summary>
    Judge,
}
