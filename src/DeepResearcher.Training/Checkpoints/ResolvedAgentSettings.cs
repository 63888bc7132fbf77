using System.Text.Json.Nodes;

namespace DeepResearcher.Training.Checkpoints;

/// <summary>
/// Agent settings and where each came from: <c>flag</c> (given on the command line), <c>checkpoint</c> (the checkpoint's
/// <see cref="AgentSettings.FileName"/>) or <c>default</c> (the original's). A run's manifest records both.
/// </summary>
public sealed record ResolvedAgentSettings(AgentSettings Settings, IReadOnlyDictionary<string, string> Sources)
{
    public const string FromFlag = "flag";
    public const string FromCheckpoint = "checkpoint";
    public const string FromDefault = "default";

    /// <summary>Explicit flags over the checkpoint's settings over the original's.</summary>
    public static ResolvedAgentSettings Resolve(AgentSettings? checkpoint, AgentSettingOverrides flags)
    {
        ArgumentNullException.ThrowIfNull(flags);
        AgentSettings settings = checkpoint ?? AgentSettings.Original;
        string unset = checkpoint is null ? FromDefault : FromCheckpoint;
        var sources = new Dictionary<string, string>(StringComparer.Ordinal);
        string Source(string key, bool given) => sources[key] = given ? FromFlag : unset;

        if (flags.Compact)
        {
            settings = settings.AsCompact();
        }

        if (flags.Tools is not null)
        {
            settings = settings.WithTools(flags.Tools);
        }

        Source("prompt", flags.Compact);
        Source("tool_presentation", flags.Compact || flags.Tools is not null);
        settings = settings with
        {
            MaxTurns = flags.MaxTurns ?? settings.MaxTurns,
            MaxTokensPerTurn = flags.MaxTokensPerTurn ?? settings.MaxTokensPerTurn,
            MaxContextTokens = flags.MaxContextTokens ?? settings.MaxContextTokens,
            ObservationFormat = flags.ObservationFormat ?? settings.ObservationFormat,
            Template = flags.Template ?? settings.Template,
        };
        Source("max_turns", flags.MaxTurns is not null);
        Source("max_tokens_per_turn", flags.MaxTokensPerTurn is not null);
        Source("max_context_tokens", flags.MaxContextTokens is not null);
        Source("observation_format", flags.ObservationFormat is not null);
        Source("template", flags.Template is not null);
        Source("tool_timeout", false);
        return new ResolvedAgentSettings(settings, sources);
    }

    /// <summary>The sources as a JSON object, for run.json.</summary>
    public JsonObject SourcesJson()
    {
        var json = new JsonObject();
        foreach ((string key, string source) in Sources.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            json[key] = source;
        }

        return json;
    }
}
