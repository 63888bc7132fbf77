using DeepResearcher.Core.Protocol.Observations;
using DeepResearcher.Core.Protocol.Rendering;

namespace DeepResearcher.Core.Agent;

/// <summary>Limits and formats of the agent loop. Defaults follow the original (spec §2).</summary>
public sealed record ResearchAgentOptions
{
    /// <summary>Generation rounds, the final answer included.</summary>
    public int MaxTurns { get; init; } = 10;

    public int MaxTokensPerTurn { get; init; } = 2000;

    /// <summary>The model's context window; a trajectory that fills it ends with <c>context_overflow</c>.</summary>
    public int MaxContextTokens { get; init; } = 32768;

    public int MaxQueriesPerSearch { get; init; } = 3;

    public ProtocolErrorPolicy OnProtocolError { get; init; } = ProtocolErrorPolicy.Terminate;

    public ObservationFormat ObservationFormat { get; init; } = ObservationFormat.Paper;

    public IPromptRenderer Template { get; init; } = Qwen25ChatTemplate.Instance;

    /// <summary>Put before every generation when the model supports it; the original prefilled <c>&lt;think&gt;</c>.</summary>
    public string Prefill { get; init; } = "<think>";

    /// <summary>A system prompt to use instead of DeepResearcher's (e.g. a short one for a small model trained from scratch).</summary>
    public string? SystemPrompt { get; init; }

    /// <summary>
    /// Whether the system message carries the tools' JSON schemas (the chat template's tools block). A small model
    /// trained from scratch learns the two calls from demonstrations and a one-line description in the prompt.
    /// </summary>
    public bool ShowToolSchemas { get; init; } = true;

    /// <summary>The date in the system prompt; null = today (UTC).</summary>
    public DateOnly? Today { get; init; }

    /// <summary>The original's <c>rag</c> mode: only <c>web_search</c> is offered.</summary>
    public bool SearchOnly { get; init; }

    /// <summary>A tool call that takes longer becomes a timeout observation.</summary>
    public TimeSpan ToolTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public SamplingOptions Sampling { get; init; } = new();
}
