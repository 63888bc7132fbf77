using System.CommandLine;
using DeepResearcher.Server.Training;
using DeepResearcher.Tinker.Service;

namespace DeepResearcher.Cli.Commands;

/// <summary><c>deepresearcher serve training</c>: the Tinker API over this project's engine.</summary>
internal static class ServeTrainingCommand
{
    public static Command Create()
    {
        var baseModels = new Option<string[]>("--base-model") { Description = "A checkpoint directory create_model may train over (config.json, model.safetensors, tokenizer.json), named NAME or after its last segment; repeatable.", HelpName = "[NAME=]DIR", Required = true, AllowMultipleArgumentsPerToken = false };
        var stateDir = new Option<string>("--state-dir") { Description = "Where the server keeps its SQLite state (sessions, futures, checkpoints) and checkpoint files; a restart with the same directory answers for every future it accepted.", HelpName = "DIR", Required = true };
        var port = new Option<int>("--port") { Description = "Port to listen on (0 picks a free one).", DefaultValueFactory = _ => 8100 };
        var host = new Option<string>("--host") { Description = "Address to bind; loopback by default (bind others only on a trusted network, with --api-key-env).", DefaultValueFactory = _ => "127.0.0.1" };
        var apiKeyEnv = new Option<string?>("--api-key-env") { Description = "Environment variable holding the API key every /api/v1 request (but healthz) must send as X-API-Key, as the Tinker SDK sends TINKER_API_KEY; none by default." };
        var defaults = new TinkerServiceOptions { StateDirectory = ".", BaseModels = [] };
        var maxBodyBytes = new Option<long>("--max-body-bytes") { Description = "Bytes of a request body, at most; larger is a 413.", DefaultValueFactory = _ => defaults.MaxBodyBytes };
        var maxDatums = new Option<int>("--max-datums") { Description = "Datums of one forward or forward_backward, at most.", DefaultValueFactory = _ => defaults.MaxDatums };
        var maxSamples = new Option<int>("--max-samples") { Description = "num_samples of one asample, at most.", DefaultValueFactory = _ => defaults.MaxSamples };
        var maxTokensCap = new Option<int>("--max-tokens-cap") { Description = "Largest max_tokens an asample may ask for.", DefaultValueFactory = _ => defaults.MaxTokensCap };
        var microBatch = new Option<int>("--micro-batch-tokens") { Description = "Tokens of one engine micro-batch of a forward_backward (a memory bound, not a result-changing one).", DefaultValueFactory = _ => defaults.MicroBatchTokens };
        var samplerBatch = new Option<int>("--sampler-batch-size") { Description = "Sequences one sampler decodes together.", DefaultValueFactory = _ => defaults.SamplerBatchSize };
        var samplerCache = new Option<int>("--sampler-cache-tokens") { Description = "Tokens one sampler's KV caches may hold: running requests and the conversations kept for their next turn (memory: tokens x layers x 2 x kv heads x head dim x 4 bytes).", DefaultValueFactory = _ => defaults.SamplerCacheTokens };
        var command = new Command("training", "Serve the Tinker training API (create_model, forward_backward, optim_step, save/load weights, asample, retrieve_future, checkpoints) over the engine until Ctrl+C.")
        {
            baseModels, stateDir, port, host, apiKeyEnv, maxBodyBytes, maxDatums, maxSamples, maxTokensCap, microBatch, samplerBatch, samplerCache,
        };
        foreach (Option<int> cap in new[] { maxDatums, maxSamples, maxTokensCap, microBatch, samplerBatch, samplerCache })
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
        command.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(parse.InvocationConfiguration.Error, async () =>
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

            BaseModelSource[] sources;
            try
            {
                sources = [.. (parse.GetValue(baseModels) ?? []).Select(BaseModelSource.Parse)];
            }
            catch (ArgumentException ex)
            {
                throw new UsageException($"--base-model: {ex.Message}");
            }

            var options = new TinkerServiceOptions
            {
                StateDirectory = parse.GetRequiredValue(stateDir),
                BaseModels = sources,
                MaxBodyBytes = parse.GetValue(maxBodyBytes),
                MaxDatums = parse.GetValue(maxDatums),
                MaxSamples = parse.GetValue(maxSamples),
                MaxTokensCap = parse.GetValue(maxTokensCap),
                MicroBatchTokens = parse.GetValue(microBatch),
                SamplerBatchSize = parse.GetValue(samplerBatch),
                SamplerCacheTokens = parse.GetValue(samplerCache),
            };
            TextWriter output = parse.InvocationConfiguration.Output;
            var log = new PlainLogProvider(parse.InvocationConfiguration.Error);
            TinkerService service;
            try
            {
                service = await TinkerService.StartAsync(options, log.CreateLogger("DeepResearcher.Training"), cancellationToken);
            }
            catch (ArgumentException ex)
            {
                throw new UsageException(ex.Message);
            }

            await using (service)
            {
                await using TrainingServer server = await TrainingServer.StartAsync(service, new TrainingServerOptions
                {
                    Host = parse.GetRequiredValue(host),
                    Port = parse.GetValue(port),
                    ApiKey = apiKey,
                }, log, cancellationToken);
                foreach (BaseModelSource source in sources)
                {
                    await output.WriteLineAsync($"  base model {source.Name}: {source.Directory}");
                }

                await output.WriteLineAsync($"training server at {server.BaseUrl} (Tinker API; state in {Path.GetFullPath(options.StateDirectory)}); Ctrl+C stops");
                await output.FlushAsync(cancellationToken);
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    await output.WriteLineAsync("stopped");
                }
            }

            return 0;
        }));
        return command;
    }
}
