using DeepResearcher.Recipes.Configuration;
using DeepResearcher.Training.Checkpoints;

namespace DeepResearcher.Recipes.Pipeline;

/// <summary>
/// The agent settings a training run researches in, derived from its config here in the recipe tier: Training knows
/// <see cref="AgentSettings"/> but not the YAML config that names them.
/// </summary>
public static class TrainingAgentSettings
{
    /// <summary>The settings a training run with <paramref name="config"/> researches in.</summary>
    public static AgentSettings For(TrainingConfig config)
    {
        var limits = AgentSettings.Original with
        {
            MaxTurns = config.Data.MaxTurns,
            MaxTokensPerTurn = config.Data.MaxResponseLength,
            MaxContextTokens = config.Data.MaxModelLen,
            ToolTimeoutSeconds = config.Rollout.ToolTimeout,
        };
        AgentSettings compact = limits.AsCompact();
        // A pretrained chat model reads the original's full instructions and tool schemas; the tools' output stays short.
        return config.Model.Path.Length > 0 ? compact with { PromptProfile = "original", SystemPrompt = null, ShowToolSchemas = true } : compact;
    }
}
