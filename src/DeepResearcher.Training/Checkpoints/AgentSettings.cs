using System.Text.Json;
using System.Text.Json.Serialization;
using DeepResearcher.Core.Agent;
using DeepResearcher.Core.Protocol.Observations;
using DeepResearcher.Core.Protocol.Rendering;
using DeepResearcher.Evaluation.Runs;
using DeepResearcher.Environments.Composition;

namespace DeepResearcher.Training.Checkpoints;

/// <summary>
/// What a policy reads and how long it may write: its prompt, turn and token limits, observation format and the tools'
/// presentation (results per query, snippet length, sentences the reader keeps). <c>train</c> derives them from its config,
/// uses them for rollouts and evaluations, and writes them into the exported checkpoint as <see cref="FileName"/>, so
/// <c>eval run --checkpoint</c> puts the policy back into the setting it was trained and scored in.
/// </summary>
public sealed record AgentSettings
{
    public const string FileName = "agent_settings.json";

    /// <summary>A short protocol prompt: a model trained from scratch has no use for the original's long instructions.</summary>
    public const string CompactSystemPrompt =
        "Research the question. Each turn: <think>reasoning</think>, then <tool_call>{\"name\": \"web_search\", \"arguments\": {\"query\": [...]}}</tool_call>, <tool_call>{\"name\": \"browse_webpage\", \"arguments\": {\"url_list\": [...]}}</tool_call> or <answer>short answer</answer>.";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary><c>original</c> (DeepResearcher's instructions) or <c>compact</c> (the one-line protocol prompt of models trained from scratch).</summary>
    public string PromptProfile { get; init; } = "original";

    /// <summary>The system prompt's text; null = the original's instructions (dated today).</summary>
    public string? SystemPrompt { get; init; }

    public bool ShowToolSchemas { get; init; } = true;

    public int MaxTurns { get; init; } = 10;

    public int MaxTokensPerTurn { get; init; } = 2000;

    public int MaxContextTokens { get; init; } = 32768;

    public ObservationFormat ObservationFormat { get; init; } = ObservationFormat.Paper;

    public string Template { get; init; } = Qwen25ChatTemplate.Instance.Name;

    public double ToolTimeoutSeconds { get; init; } = 60;

    public int ResultsPerQuery { get; init; } = 10;

    /// <summary>0 = snippets whole.</summary>
    public int MaxSnippetChars { get; init; }

    public int ReaderSentencesPerSegment { get; init; } = 5;

    /// <summary>The original's settings: what <c>eval run</c> uses for a policy that names none.</summary>
    public static AgentSettings Original { get; } = new();

    /// <summary>The prompt and observation settings of a model trained from scratch by <c>train</c> (its preset offline-tiny), limits unchanged.</summary>
    public AgentSettings AsCompact() => WithTools(ToolboxProfile.Compact) with
    {
        PromptProfile = "compact",
        SystemPrompt = CompactSystemPrompt,
        ShowToolSchemas = false,
    };

    /// <summary>These settings with <paramref name="profile"/>'s tool presentation.</summary>
    public AgentSettings WithTools(ToolboxProfile profile) => this with
    {
        ResultsPerQuery = profile.ResultsPerQuery,
        MaxSnippetChars = profile.MaxSnippetChars,
        ReaderSentencesPerSegment = profile.ReaderSentencesPerSegment,
    };

    /// <summary>The tool presentation of these settings, under its preset's name when it is one (a method: not a field of the file).</summary>
    public ToolboxProfile ToolProfile() => ToolboxProfile.Of(ResultsPerQuery, MaxSnippetChars, ReaderSentencesPerSegment);

    /// <summary><paramref name="options"/> with these settings' prompt, limits and format (sampling and the rest kept).</summary>
    public ResearchAgentOptions ApplyTo(ResearchAgentOptions options) => options with
    {
        SystemPrompt = SystemPrompt,
        ShowToolSchemas = ShowToolSchemas,
        MaxTurns = MaxTurns,
        MaxTokensPerTurn = MaxTokensPerTurn,
        MaxContextTokens = MaxContextTokens,
        ObservationFormat = ObservationFormat,
        Template = PromptRenderers.Get(Template),
        ToolTimeout = TimeSpan.FromSeconds(ToolTimeoutSeconds),
    };

    public Task SaveAsync(string directory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        return AtomicFile.WriteAllTextAsync(Path.Combine(directory, FileName), JsonSerializer.Serialize(this, Json), cancellationToken);
    }

    /// <summary>The settings stored in a checkpoint directory, or null when it has none (written by another tool, or by a <c>train</c> older than this file).</summary>
    /// <exception cref="InvalidDataException">The file is there but unreadable.</exception>
    public static async Task<AgentSettings?> LoadAsync(string directory, CancellationToken cancellationToken)
    {
        string path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
        {
            return null;
        }

        AgentSettings? settings;
        try
        {
            await using FileStream stream = File.OpenRead(path);
            settings = await JsonSerializer.DeserializeAsync<AgentSettings>(stream, Json, cancellationToken);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path} is not valid agent settings ({ex.Message}); delete it to evaluate with the command's options alone", ex);
        }

        if (settings is null || settings.MaxTurns < 1 || settings.MaxTokensPerTurn < 1 || settings.MaxContextTokens < 1 || settings.ResultsPerQuery < 1 || settings.ReaderSentencesPerSegment < 1)
        {
            throw new InvalidDataException($"{path}: limits must be at least 1; delete the file to evaluate with the command's options alone");
        }

        return settings;
    }
}
