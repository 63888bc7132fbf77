using System.CommandLine;
using DeepResearcher.Cli.Observability;
using DeepResearcher.Server.Model;
using DeepResearcher.Serving;
using DeepResearcher.Serving.Models;

namespace DeepResearcher.Cli.Commands;

/// <summary><c>deepresearcher serve model</c>: a trained checkpoint behind an OpenAI-compatible API; <c>serve training</c>: the Tinker training API.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var serve = new Command("serve", "Serve a trained policy, or the Tinker training API, over HTTP.");
        var checkpoint = new Argument<string>("CHECKPOINT_DIR") { Description = "A checkpoint directory as train exports it (config.json, model.safetensors, tokenizer.json, agent_settings.json)." };
        var adapters = new Option<string[]>("--adapter") { Description = "A PEFT LoRA directory over the checkpoint, served as its own model (NAME=DIR, or DIR named after its last segment); repeatable.", HelpName = "[NAME=]DIR" };
        var port = new Option<int>("--port") { Description = "Port to listen on (0 picks a free one).", DefaultValueFactory = _ => 8000 };
        var host = new Option<string>("--host") { Description = "Address to bind; loopback by default (bind others only on a trusted network, with --api-key-env).", DefaultValueFactory = _ => "127.0.0.1" };
        var apiKeyEnv = new Option<string?>("--api-key-env") { Description = "Environment variable holding the API key every /v1 request must send as 'Authorization: Bearer KEY'; none by default." };
        var name = new Option<string?>("--served-model-name") { HelpName = "NAME", Description = "The base model's name in requests and /v1/models; the checkpoint directory as given by default (as vLLM names it)." };
        var defaults = new ServingOptions();
        var maxConcurrency = new Option<int>("--max-concurrency") { Description = "Sequences generating at once (n counts n); more is a 429 with Retry-After.", DefaultValueFactory = _ => defaults.MaxConcurrency };
        var maxTokensCap = new Option<int>("--max-tokens-cap") { Description = "Largest max_tokens a request may ask for, and the default when it asks for none.", DefaultValueFactory = _ => defaults.MaxTokensCap };
        var maxBatch = new Option<int>("--max-batch") { Description = "Sequences decoding together in one model's continuous batch.", DefaultValueFactory = _ => defaults.MaxBatchSize };
        var maxChoices = new Option<int>("--max-n") { Description = "Largest n (choices per request).", DefaultValueFactory = _ => defaults.MaxChoices };
        var maxBodyBytes = new Option<long>("--max-body-bytes") { Description = "Bytes of a request body, at most; larger is a 413.", DefaultValueFactory = _ => defaults.MaxBodyBytes };
        var model = new Command("model", "Serve GET /v1/models, POST /v1/chat/completions and /v1/completions (OpenAI's API with vLLM's extensions), GET /health and /metrics until Ctrl+C.")
        {
            checkpoint, adapters, port, host, apiKeyEnv, name, maxConcurrency, maxTokensCap, maxBatch, maxChoices, maxBodyBytes,
        };
        var otlp = new OtlpOption();
        otlp.AddTo(model);
        foreach (Option<int> cap in new[] { maxConcurrency, maxTokensCap, maxBatch, maxChoices })
        {
            cap.Validators.Add(result =>
            {
                if (result.GetValueOrDefault<int>() < 1)
                {
                    result.AddError($"{cap.Name} must be at least 1");
                }
            });
        }

        maxBodyBytes.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<long>() < 1024)
            {
                result.AddError("--max-body-bytes must be at least 1024");
            }
        });
        model.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(parse.InvocationConfiguration.Error, async () =>
        {
            string? apiKey = null;
            if (parse.GetValue(apiKeyEnv) is { } variable)
            {
                apiKey = Environment.GetEnvironmentVariable(variable);
                if (string.IsNullOrEmpty(apiKey))
                {
                    throw new UsageException($"--api-key-env names {variable}, which is not set or empty; export the key in it, or leave the option out to serve without a key");
                }
            }

            using OtlpExport? telemetry = otlp.Start(parse, "deepresearcher-model");
            var options = new ServingOptions
            {
                MaxConcurrency = parse.GetValue(maxConcurrency),
                MaxTokensCap = parse.GetValue(maxTokensCap),
                MaxBatchSize = parse.GetValue(maxBatch),
                MaxChoices = parse.GetValue(maxChoices),
                MaxBodyBytes = parse.GetValue(maxBodyBytes),
            };
            TextWriter output = parse.InvocationConfiguration.Output;
            string directory = parse.GetRequiredValue(checkpoint);
            AdapterSource[] sources = [.. (parse.GetValue(adapters) ?? []).Select(AdapterSource.Parse)];
            await output.WriteLineAsync($"loading {directory}{(sources.Length > 0 ? $" and {sources.Length} adapter(s)" : string.Empty)}");
            await using ServedCheckpoint served = await ServedCheckpoint.StartAsync(directory, sources, options, parse.GetValue(name), new ModelServerOptions
            {
                Host = parse.GetRequiredValue(host),
                Port = parse.GetValue(port),
                ApiKey = apiKey,
            }, new PlainLogProvider(parse.InvocationConfiguration.Error), cancellationToken);
            foreach (ServedModel each in served.Catalog.Models)
            {
                await output.WriteLineAsync($"  {each.Name}{(each.Parent is null ? string.Empty : $" (LoRA over {each.Parent})")}: {each.Template.Name} template, context {each.ContextLength} tokens");
            }

            return await ServerConsole.RunUntilCancelledAsync(output,
                $"model server at {served.ApiBaseUrl.AbsoluteUri.TrimEnd('/')} (OpenAI-compatible; e.g. research \"QUESTION\" --model-url {served.ApiBaseUrl.AbsoluteUri.TrimEnd('/')} --model {served.BaseModel.Name}{(File.Exists(Path.Combine(directory, ChatTemplates.AgentSettingsFileName)) ? $" --agent-settings {directory}" : string.Empty)})", cancellationToken);
        }));
        serve.Subcommands.Add(model);
        serve.Subcommands.Add(ServeTrainingCommand.Create());
        return serve;
    }
}
