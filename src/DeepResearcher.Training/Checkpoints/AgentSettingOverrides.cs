using DeepResearcher.Core.Protocol.Observations;

namespace DeepResearcher.Training.Checkpoints;

/// <summary>Agent settings given explicitly on a command line; null = not given.</summary>
public sealed record AgentSettingOverrides
{
    public int? MaxTurns { get; init; }

    public int? MaxTokensPerTurn { get; init; }

    public int? MaxContextTokens { get; init; }

    public ObservationFormat? ObservationFormat { get; init; }

    public string? Template { get; init; }

    /// <summary>The compact prompt and tool presentation (<see cref="AgentSettings.AsCompact"/>).</summary>
    public bool Compact { get; init; }

    /// <summary>A tool presentation by name (<c>--tool-profile</c>), applied after <see cref="Compact"/>.</summary>
    public Environments.Composition.ToolboxProfile? Tools { get; init; }
}
