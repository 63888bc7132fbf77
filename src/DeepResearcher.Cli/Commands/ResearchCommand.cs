using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using DeepResearcher.ChatModels;
using DeepResearcher.Core.Agent;
using DeepResearcher.Core.Protocol.Observations;
using DeepResearcher.Core.Protocol.Rendering;
using DeepResearcher.Core.Trajectories;
using DeepResearcher.Server.Composition;

namespace DeepResearcher.Cli.Commands;

/// <summary><c>deepresearcher research "QUESTION"</c>: runs the research agent once and prints the answer.</summary>
internal static class ResearchCommand
{
    public static Command Create()
    {
        var question = new Argument<string>("question") { Description = "The question to research." };
        var modelUrl = new Option<string>("--model-url") { Description = "Base URL of an OpenAI-compatible endpoint, e.g. http://127.0.0.1:8000/v1.", Required = true };
        var model = new Option<string>("--model") { Description = "Model name at that endpoint.", Required = true };
        var apiKeyEnv = new Option<string>("--api-key-env") { Description = "Environment variable that holds the API key (never printed).", DefaultValueFactory = _ => "OPENAI_API_KEY" };
        var maxTurns = new Option<int>("--max-turns") { Description = "Generation rounds, the final answer included.", DefaultValueFactory = _ => 10 };
        var maxTokens = new Option<int>("--max-tokens") { Description = "Token limit per turn.", DefaultValueFactory = _ => 2000 };
        var maxContext = new Option<int>("--max-context") { Description = "The model's context window in tokens.", DefaultValueFactory = _ => 32768 };
        var temperature = new Option<float>("--temperature") { Description = "Sampling temperature.", DefaultValueFactory = _ => 0.6f };
        var topP = new Option<float>("--top-p") { Description = "Nucleus sampling threshold.", DefaultValueFactory = _ => 1.0f };
        var seed = new Option<long?>("--seed") { Description = "Sampling seed, where the server supports one." };
        var template = new Option<string>("--template") { Description = "Chat template of the model: qwen2.5 or llama3.", DefaultValueFactory = _ => "qwen2.5" };
        var format = new Option<ObservationFormat>("--observation-format") { Description = "How tool output is shown to the model: Paper (the original's Python-style lists) or Json.", DefaultValueFactory = _ => ObservationFormat.Paper };
        var onError = new Option<ProtocolErrorPolicy>("--on-protocol-error") { Description = "FeedBack: tell the model its turn was malformed and let it retry; Terminate: stop (as in training).", DefaultValueFactory = _ => ProtocolErrorPolicy.FeedBack };
        var prefill = new Option<bool>("--prefill") { Description = "Start every turn with <think> through vLLM's continue_final_message (as the original did)." };
        var timeout = new Option<double>("--timeout") { Description = "Seconds per model request attempt.", DefaultValueFactory = _ => 120 };
        var retries = new Option<int>("--retries") { Description = "Retries per model request on 408/429/5xx and network errors, with backoff that honours Retry-After.", DefaultValueFactory = _ => 4 };
        var json = new Option<bool>("--json") { Description = "Print the whole trajectory as JSON instead of just the answer." };
        var outFile = new Option<FileInfo?>("--out") { Description = "Append the trajectory as one JSONL line to this file." };

        var toolOptions = new ToolOptions();
        var command = new Command("research", "Research a question with an LLM policy and the web tools, and print the answer.")
        {
            question, modelUrl, model, apiKeyEnv, maxTurns, maxTokens, maxContext, temperature, topP, seed, template, format, onError, prefill, timeout, retries, json, outFile,
        };
        toolOptions.AddTo(command);
        command.SetAction((parse, cancellationToken) =>
        {
            TextWriter output = parse.InvocationConfiguration.Output;
            TextWriter error = parse.InvocationConfiguration.Error;
            return CommandErrors.RunAsync(error, async () =>
            {
                if (parse.GetValue(maxTurns) < 1)
                {
                    throw new UsageException("--max-turns must be at least 1.");
                }

                var chatModel = new OpenAIChatModel(new OpenAIChatModelOptions
                {
                    BaseUrl = OptionUrl.Parse("--model-url", parse.GetRequiredValue(modelUrl)),
                    Model = parse.GetRequiredValue(model),
                    ApiKeyEnvironmentVariable = parse.GetRequiredValue(apiKeyEnv),
                    Timeout = TimeSpan.FromSeconds(parse.GetValue(timeout)),
                    ContinueFinalMessage = parse.GetValue(prefill),
                    MaxRetries = Math.Max(0, parse.GetValue(retries)),
                });
                var options = new ResearchAgentOptions
                {
                    MaxTurns = parse.GetValue(maxTurns),
                    MaxTokensPerTurn = parse.GetValue(maxTokens),
                    MaxContextTokens = parse.GetValue(maxContext),
                    Template = PromptRenderers.Get(parse.GetRequiredValue(template)),
                    ObservationFormat = parse.GetValue(format),
                    OnProtocolError = parse.GetValue(onError),
                    Sampling = new SamplingOptions { Temperature = parse.GetValue(temperature), TopP = parse.GetValue(topP), Seed = parse.GetValue(seed) },
                };
                (ToolboxSpec spec, IAsyncDisposable? renderer) = await toolOptions.ToSpecAsync(parse);
                await using IAsyncDisposable? _ = renderer;
                await using ComposedToolbox tools = await ToolboxComposer.CreateAsync(spec, cancellationToken);
                await error.WriteLineAsync($"tools: {tools.Description}");
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
