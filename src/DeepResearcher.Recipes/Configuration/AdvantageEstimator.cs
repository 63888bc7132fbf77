namespace DeepResearcher.Recipes.Configuration;

/// <summary><c>actor.adv_estimator</c>, verl's name for how group rewards become advantages.</summary>
public enum AdvantageEstimator
{
    /// <summary><c>grpo</c>: reward minus the group's mean, over the group's standard deviation.</summary>
    Grpo,

    /// <summary><c>dr_grpo</c>: reward minus the group's mean only (Dr.GRPO).</summary>
    DrGrpo,
}
