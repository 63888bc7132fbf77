namespace DeepResearcher.Recipes.Pipeline;

/// <summary>Where a training run is: <paramref name="Done"/> of <paramref name="Total"/> units of <paramref name="Stage"/> (sft, grpo, eval…).</summary>
public sealed record TrainingProgress(string Stage, int Done, int Total, string Detail = "");
