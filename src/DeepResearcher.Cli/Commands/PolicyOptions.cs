using System.CommandLine;
using DeepResearcher.ChatModels;
using DeepResearcher.Core.Protocol.Observations;

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

    public Option<DirectoryInfo?> Checkpoint { get; } = new("--checkpoint") { Description = "Policy: a local Hugging Face checkpoint (config.json, model.safetensors, tokenizer.json) run by the engine's batched sampler." };

    public Option<bool> Prefill { get; } = new("--prefill") { Description = "Start every turn with <think> through vLLM's continue_final_message (as the original did)." };

    public Option<float?> Temperature { get; }

    public Option<float> TopP { get; } = new("--top-p") { Description = "Nucleus sampling threshold; 1 disables it.", DefaultValueFactory = _ => 1.0f };

    public Option<int> MaxTurns { get; } = new("--max-turns") { Description = "Generation rounds, the final answer included.", DefaultValueFactory = _ => 10 };

    public Option<int> MaxTokens { get; } = new("--max-tokens") { Description = "Token limit per turn.", DefaultValueFactory = _ => 2000 };

    public Option<int> MaxContext { get; } = new("--max-context") { Description = "The model's context window in tokens.", DefaultValueFactory = _ => 32768 };

    public Option<string> Template { get; } = new("--template") { Description = "Chat template of the model: qwen2.5 or llama3.", DefaultValueFactory = _ => "qwen2.5" };

    public Option<ObservationFormat> ObservationFormat { get; } = new("--observation-format") { Description = "How tool output is shown to the model: Paper (the original's Python-style lists) or Json.", DefaultValueFactory = _ => Core.Protocol.Observations.ObservationFormat.Paper };

    /// <summary>Adds the options; <paramref name="checkpoint"/> also offers a local checkpoint as the policy.</summary>
    public void AddTo(Command command, bool checkpoint)
    {
        Endpoint.AddTo(command);
        var options = new List<Option> { Prefill, Temperature, TopP, MaxTurns, MaxTokens, MaxContext, Template, ObservationFormat };
        if (checkpoint)
        {
            options.Insert(0, Checkpoint);
        }

        foreach (Option option in options)
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The served policy the options name, or null when no endpoint is given.</summary>
    public OpenAIChatModel? ReadChatModel(ParseResult parse)
        => Endpoint.Read(parse, parse.GetValue(Prefill)) is { } options ? new OpenAIChatModel(options) : null;
}
