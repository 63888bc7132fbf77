using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using DeepResearcher.ChatModels;
using DeepResearcher.Cli.Observability;
using DeepResearcher.Core.Agent;
using DeepResearcher.Core.Protocol.Rendering;
using DeepResearcher.Core.Trajectories;
using DeepResearcher.Environments.Composition;
using DeepResearcher.Training.Checkpoints;

namespace DeepResearcher.Cli.Commands;

/// <summary><c>deepresearcher research "QUESTION"</c>: runs the research agent once and prints the answer.</summary>
internal static class ResearchCommand
{
    public static Command Create()
    {
        var policy = new PolicyOptions(temperatureDefault: "0.6");
        var question = new Argument<string>("question") { Description = "The question to research." };
        var seed = new Option<long?>("--seed") { Description = "Sampling seed, where the server supports one." };
        var onError = new Option<ProtocolErrorPolicy>("--on-protocol-error") { Description = "FeedBack: tell the model its turn was malformed and let it retry; Terminate: stop (as in training).", DefaultValueFactory = _ => ProtocolErrorPolicy.FeedBack };
        var json = new Option<bool>("--json") { Description = "Print the whole trajectory as JSON instead of just the answer." };
        var outFile = new Option<FileInfo?>("--out") { Description = "Append the trajectory as one JSONL line to this file." };

        var toolOptions = new ToolOptions();
        var otlp = new OtlpOption();
        var command = new Command("research", "Research a question with an LLM policy and the web tools, and print the answer.") { question };
        policy.AddTo(command);
        foreach (Option option in new Option[] { seed, onError, json, outFile })
        {
            command.Options.Add(option);
        }

        toolOptions.AddTo(command, remote: true);
        otlp.AddTo(command);
        command.SetAction((parse, cancellationToken) =>
        {
            TextWriter output = parse.InvocationConfiguration.Output;
            TextWriter error = parse.InvocationConfiguration.Error;
            return CommandErrors.RunAsync(error, async () =>
            {
                policy.CheckExclusive(parse);
                using OtlpExport? telemetry = otlp.Start(parse, "deepresearcher-research");
                DirectoryInfo? checkpoint = parse.GetValue(policy.Checkpoint);
                OpenAIChatModelOptions? endpoint = policy.ReadEndpoint(parse);
                if (endpoint is null && checkpoint is null)
                {
                    throw new UsageException($"give a policy: {policy.Endpoint.Url.Name} URL {policy.Endpoint.Model.Name} NAME (any OpenAI-compatible server), or {policy.Checkpoint.Name} DIR (a checkpoint train exported, served in process)");
                }

                (AgentSettings? trained, ResolvedAgentSettings resolved) = await policy.ResolveSettingsAsync(parse, toolOptions, cancellationToken);
                if (policy.SettingsDirectory(parse) is { } settingsDir)
                {
                    await error.WriteLineAsync(trained is null
                        ? $"{settingsDir.FullName} has no {AgentSettings.FileName}: the original's agent settings unless flags say otherwise"
                        : $"agent settings from {Path.Combine(settingsDir.FullName, AgentSettings.FileName)} ({resolved.Settings.PromptProfile} prompt, {resolved.Settings.ToolProfile()} tool profile, {resolved.Settings.MaxTurns} turns of {resolved.Settings.MaxTokensPerTurn} tokens), flags on top");
                }

                ResearchAgentOptions options = resolved.Settings.ApplyTo(new ResearchAgentOptions
                {
                    OnProtocolError = parse.GetValue(onError),
                    Sampling = new SamplingOptions { Temperature = parse.GetValue(policy.Temperature) ?? 0.6f, TopP = parse.GetValue(policy.TopP), Seed = parse.GetValue(seed) },
                });
                (ToolboxSpec spec, IAsyncDisposable? renderer) = await toolOptions.ToSpecAsync(parse);
                await using IAsyncDisposable? _ = renderer;
                if (spec.ToolServers.Count == 0)
                {
                    spec = spec with { Profile = resolved.Settings.ToolProfile() };
                }

                await using CheckpointPolicy? local = checkpoint is null ? null
                    : await CheckpointPolicy.StartAsync(checkpoint, concurrency: 1, options.MaxTokensPerTurn, error, cancellationToken);
                if (local is not null)
                {
                    await error.WriteLineAsync($"model server for {checkpoint!.FullName} at {local.ApiBaseUrl.AbsoluteUri.TrimEnd('/')} (in process)");
                    options = local.FitContext(options, error);
                }

                IChatModel chatModel = local is not null ? local.Model : new OpenAIChatModel(endpoint!);
                await using ComposedToolbox tools = await ToolboxComposer.CreateAsync(spec, cancellationToken);
                await error.WriteLineAsync(toolOptions.HasNoSearch(parse) ? ToolOptions.NoSearchWarning : $"tools: {tools.Description}");
                var agent = new ResearchAgent(chatModel, tools.Toolbox, options);
                Trajectory trajectory = await agent.RunAsync(parse.GetRequiredValue(question), cancellationToken, progress: new TurnPrinter(error));

                if (parse.GetValue(outFile) is { } file)
                {
                    await AppendLineAsync(file.FullName, TrajectoryJson.Serialize(trajectory), cancellationToken);
                }

                if (parse.GetValue(json))
                {
                    using JsonDocument document = JsonDocument.Parse(TrajectoryJson.Serialize(trajectory));
                    await output.WriteLineAsync(JsonSerializer.Serialize(document.RootElement, new JsonSerializerOptions { WriteIndented = true, Encoder = TrajectoryJson.Options.Encoder }));
                }
                else if (trajectory.FinalAnswer is not null)
                {
                    await output.WriteLineAsync(trajectory.FinalAnswer);
                }

                if (trajectory.Termination != TerminationReason.Answered)
                {
                    await error.WriteLineAsync($"no answer: {trajectory.Termination.ToString().ToLowerInvariant()} ({trajectory.TerminationDetail})");
                    return 1;
                }

                return 0;
            });
        });
        return command;
    }

    private static async Task AppendLineAsync(string path, string line, CancellationToken cancellationToken)
    {
        // One write of a whole line keeps concurrent appenders from interleaving inside a record.
        await File.AppendAllTextAsync(path, line + "\n", cancellationToken);
    }

    /// <summary>Prints one line per turn as it completes, so a long run shows what the agent is doing.</summary>
    private sealed class TurnPrinter(TextWriter error) : IProgress<TurnRecord>
    {
        public void Report(TurnRecord turn)
        {
            string what = turn.Action switch
            {
                TurnAction.Answer => $"answer: {turn.Answer}",
                TurnAction.Error => $"protocol error: {turn.Error}",
                _ when turn.ToolCall is { } call => $"{call.Name}: {string.Join(" | ", call.Queries.Count > 0 ? call.Queries : call.Urls)}"
                    + (call.Error is null ? string.Empty : $" (failed: {call.Error})")
                    + $" [{call.LatencyMs.ToString("0", CultureInfo.InvariantCulture)} ms]",
                _ => turn.Action.ToString(),
            };
            error.WriteLine($"[turn {turn.Index}] {what}");
        }
    }
}
