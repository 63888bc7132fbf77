using System.CommandLine;
using DeepResearcher.ChatModels;
using DeepResearcher.Core.Protocol.Observations;
using DeepResearcher.Training.Checkpoints;

namespace DeepResearcher.Cli.Commands;

/// <summary>
/// The options of a policy and of the agent loop around it that <c>research</c> and <c>eval run</c> share: declared
/// once, so both commands spell, describe and check them the same way. The endpoint options are
/// <see cref="ModelEndpointOptions.Policy"/>'s.
/// </summary>
internal sealed class PolicyOptions
{
    /// <param name="temperatureDefault">What the command samples at when <c>--temperature</c> is not given, in words.</param>
    public PolicyOptions(string temperatureDefault)
    {
        Temperature = new Option<float?>("--temperature") { Description = $"Sampling temperature, 0 or more (default: {temperatureDefault})." };
        OptionRules.Require(Temperature, t => t is null or >= 0, "--temperature must be 0 or more");
        OptionRules.Require(TopP, p => p is > 0 and <= 1, "--top-p must be more than 0 and at most 1");
        foreach (Option<int> limit in new[] { MaxTurns, MaxTokens, MaxContext })
        {
            OptionRules.Require(limit, n => n >= 1, $"{limit.Name} must be at least 1");
        }
    }

    public ModelEndpointOptions Endpoint { get; } = ModelEndpointOptions.Policy();

    public Option<DirectoryInfo?> Checkpoint { get; } = new("--checkpoint") { Description = "Policy: a checkpoint directory as train exports it (config.json, model.safetensors, tokenizer.json), served in process on a free loopback port by serve model's server and called over HTTP; its agent_settings.json applies unless flags say otherwise." };

    public Option<DirectoryInfo?> AgentSettingsFrom { get; } = new("--agent-settings") { HelpName = "CHECKPOINT_DIR", Description = "For a checkpoint served elsewhere (serve model, with --model-url): its agent_settings.json (prompt, turn and token limits, observation format, tool presentation) and the <think> prefill it was trained with, as --checkpoint applies them; flags on top." };

    public Option<bool> Compact { get; } = new("--compact") { Description = "Use the offline-tiny prompt and observation settings (short system prompt, no tool schemas, the compact tool profile), as a model trained by 'train' expects." };

    public Option<bool> Prefill { get; } = new("--prefill") { Description = "Start every turn with <think> through vLLM's continue_final_message (as the original did)." };

    public Option<float?> Temperature { get; }

    public Option<float> TopP { get; } = new("--top-p") { Description = "Nucleus sampling threshold; 1 disables it.", DefaultValueFactory = _ => 1.0f };

    public Option<int> MaxTurns { get; } = new("--max-turns") { Description = "Generation rounds, the final answer included.", DefaultValueFactory = _ => 10 };

    public Option<int> MaxTokens { get; } = new("--max-tokens") { Description = "Token limit per turn.", DefaultValueFactory = _ => 2000 };

    public Option<int> MaxContext { get; } = new("--max-context") { Description = "The model's context window in tokens.", DefaultValueFactory = _ => 32768 };

    public Option<string> Template { get; } = new("--template") { Description = "Chat template of the model: qwen2.5 or llama3.", DefaultValueFactory = _ => "qwen2.5" };

    public Option<ObservationFormat> ObservationFormat { get; } = new("--observation-format") { Description = "How tool output is shown to the model: Paper (the original's Python-style lists) or Json.", DefaultValueFactory = _ => Core.Protocol.Observations.ObservationFormat.Paper };

    /// <summary>Adds the options: the endpoint, a checkpoint served in process, and the agent settings.</summary>
    public void AddTo(Command command)
    {
        Endpoint.AddTo(command);
        foreach (Option option in new Option[] { Checkpoint, AgentSettingsFrom, Compact, Prefill, Temperature, TopP, MaxTurns, MaxTokens, MaxContext, Template, ObservationFormat })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>Refuses a checkpoint together with an endpoint (two policies), and agent settings beside the checkpoint that has its own.</summary>
    public void CheckExclusive(ParseResult parse)
    {
        if (parse.GetValue(Checkpoint) is not null && Endpoint.IsGiven(parse))
        {
            throw new UsageException($"{Checkpoint.Name} DIR serves that checkpoint in process and {Endpoint.Url.Name} names another server: give one policy, {Checkpoint.Name} DIR or {Endpoint.Url.Name} URL {Endpoint.Model.Name} NAME");
        }

        if (parse.GetValue(Checkpoint) is not null && parse.GetValue(AgentSettingsFrom) is not null)
        {
            throw new UsageException($"{Checkpoint.Name} applies its own agent settings; {AgentSettingsFrom.Name} is for a checkpoint served elsewhere ({Endpoint.Url.Name}): drop it");
        }
    }

    /// <summary>The directory whose agent settings apply: <c>--checkpoint</c>'s or <c>--agent-settings</c>'s; null for neither.</summary>
    public DirectoryInfo? SettingsDirectory(ParseResult parse) => parse.GetValue(Checkpoint) ?? parse.GetValue(AgentSettingsFrom);

    /// <summary>
    /// The agent settings: explicit flags over the settings directory's <c>agent_settings.json</c> over the original's.
    /// <c>--agent-settings</c> naming a directory without the file is an error; a <c>--checkpoint</c> without it runs on the original's.
    /// </summary>
    public async Task<(AgentSettings? Trained, ResolvedAgentSettings Resolved)> ResolveSettingsAsync(ParseResult parse, ToolOptions tools, CancellationToken cancellationToken)
    {
        AgentSettings? trained = SettingsDirectory(parse) is { } directory ? await AgentSettings.LoadAsync(directory.FullName, cancellationToken) : null;
        if (trained is null && parse.GetValue(AgentSettingsFrom) is { } named)
        {
            throw new UsageException($"{AgentSettingsFrom.Name} {named.FullName} has no {AgentSettings.FileName}; name the checkpoint directory train exported (e.g. runs/offline-tiny/checkpoint), or give the settings as flags (--compact, --max-turns, --max-tokens, --max-context)");
        }

        T? Given<T>(Option<T> option) where T : struct => parse.GetResult(option) is { Implicit: false } ? parse.GetValue(option) : null;
        var resolved = ResolvedAgentSettings.Resolve(trained, new AgentSettingOverrides
        {
            MaxTurns = Given(MaxTurns),
            MaxTokensPerTurn = Given(MaxTokens),
            MaxContextTokens = Given(MaxContext),
            ObservationFormat = Given(ObservationFormat),
            Template = parse.GetResult(Template) is { Implicit: false } ? parse.GetRequiredValue(Template) : null,
            Compact = parse.GetValue(Compact),
            Tools = tools.GivenProfile(parse),
        });
        return (trained, resolved);
    }

    /// <summary>
    /// The endpoint the options name, or null when none is given. A checkpoint served elsewhere whose agent settings
    /// apply (<c>--agent-settings</c>) is prefilled with <c>&lt;think&gt;</c> as it was trained, as <c>--prefill</c> asks.
    /// </summary>
    public OpenAIChatModelOptions? ReadEndpoint(ParseResult parse)
        => Endpoint.Read(parse, parse.GetValue(Prefill) || parse.GetValue(AgentSettingsFrom) is not null);
}
