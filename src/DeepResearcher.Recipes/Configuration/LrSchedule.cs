namespace DeepResearcher.Recipes.Configuration;

/// <summary><c>sft.lr_schedule</c> and <c>actor.lr_schedule</c>: how the learning rate moves over the steps.</summary>
public enum LrSchedule
{
    /// <summary><c>constant</c>.</summary>
    Constant,

    /// <summary><c>cosine</c>: a cosine decay (after <c>actor.warmup_steps</c> for GRPO; to a tenth of <c>sft.lr</c> for the warm start).</summary>
    Cosine,
}
