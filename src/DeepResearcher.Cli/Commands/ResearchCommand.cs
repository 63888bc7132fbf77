using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using DeepResearcher.ChatModels;
using DeepResearcher.Cli.Observability;
using DeepResearcher.Core.Agent;
using DeepResearcher.Core.Protocol.Rendering;
using DeepResearcher.Core.Trajectories;
using DeepResearcher.Environments.Composition;

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
        policy.Endpoint.Url.Required = true;
        policy.Endpoint.Model.Required = true;
        policy.AddTo(command, checkpoint: false);
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
                OpenAIChatModel chatModel = policy.ReadChatModel(parse)!;
                using OtlpExport? telemetry = otlp.Start(parse, "deepresearcher-research");
                var options = new ResearchAgentOptions
                {
                    MaxTurns = parse.GetValue(policy.MaxTurns),
                    MaxTokensPerTurn = parse.GetValue(policy.MaxTokens),
                    MaxContextTokens = parse.GetValue(policy.MaxContext),
                    Template = PromptRenderers.Get(parse.GetRequiredValue(policy.Template)),
                    ObservationFormat = parse.GetValue(policy.ObservationFormat),
                    OnProtocolError = parse.GetValue(onError),
                    Sampling = new SamplingOptions { Temperature = parse.GetValue(policy.Temperature) ?? 0.6f, TopP = parse.GetValue(policy.TopP), Seed = parse.GetValue(seed) },
                };
                (ToolboxSpec spec, IAsyncDisposable? renderer) = await toolOptions.ToSpecAsync(parse);
                await using IAsyncDisposable? _ = renderer;
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
