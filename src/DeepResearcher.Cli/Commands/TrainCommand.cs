using System.CommandLine;
using DeepResearcher.Cli.Observability;
using DeepResearcher.Recipes.Configuration;
using DeepResearcher.Recipes.Pipeline;
using DeepResearcher.Server.Reports;

namespace DeepResearcher.Cli.Commands;

/// <summary><c>deepresearcher train</c>: SFT warm start then GRPO, in the offline world or on the web, in process or on a Tinker service.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var config = new Option<FileInfo?>("--config") { Description = "YAML config; its keys override the preset's (see --print-config)." };
        var preset = new Option<string?>("--preset") { Description = $"Starting point: {string.Join(", ", TrainingPresets.Names)} (default offline-tiny, or the one the config names)." };
        var outDir = new Option<DirectoryInfo>("--out") { Description = "Run directory: world, metrics, trajectories, checkpoint.", DefaultValueFactory = _ => new DirectoryInfo("runs/offline-tiny") };
        var steps = new Option<int?>("--steps") { Description = "GRPO steps (trainer.total_steps)." };
        var seed = new Option<ulong?>("--seed") { Description = "trainer.seed: model initialisation, data order and sampling." };
        var sftSteps = new Option<int?>("--sft-steps") { Description = "Supervised warm-start steps (sft.steps)." };
        var printConfig = new Option<bool>("--print-config") { Description = "Print the effective config as YAML, with the preset's comments on why its values are what they are, and exit." };
        var model = new Option<DirectoryInfo?>("--model") { Description = "A Hugging Face checkpoint directory to train (model.path), e.g. Qwen2.5-0.5B-Instruct; LoRA per model.lora. Default: a small model from scratch." };
        var trainFiles = new Option<FileInfo?>("--train-files") { Description = "data.train_files: the questions to train on, JSONL or the original's verl parquet, in place of the world's train split (ids must be the world's)." };
        var valFiles = new Option<FileInfo?>("--val-files") { Description = "data.val_files: the held-out questions, JSONL or verl parquet, in place of the world's test split (ids must be the world's)." };
        var backend = new Option<string?>("--backend") { Description = "trainer.backend: local (the in-process engine) or tinker (a Tinker-compatible service: hosted Tinker, SkyRL tx, or 'serve training'; docs/tinker.md)." };
        var tinkerUrl = new Option<string?>("--tinker-url") { Description = "tinker.base_url: the Tinker-compatible service; its key is read from the variable tinker.api_key_env names (TINKER_API_KEY)." };
        var tinkerModel = new Option<string?>("--tinker-base-model") { Description = "tinker.base_model: the base model as the service names it." };
        var tinkerTokenizer = new Option<FileInfo?>("--tinker-tokenizer") { Description = "tinker.tokenizer: the base model's tokenizer.json, here." };
        var initialOnly = new Option<bool>("--initial-model-only") { Description = "Build the world, the tokenizer and the model from scratch, write them to OUT/initial-model (a base model for 'serve training', to train with --backend tinker) and exit." };
        var resume = new Option<bool>("--resume") { Description = "Continue the run in --out from its newest checkpoint (the same batches and sampling as an uninterrupted run)." };
        var serveReport = new Option<int?>("--serve-report")
        {
            Description = $"Serve the run's live view on loopback while training (the URL is printed first), on this port ({ReportCommand.DefaultLivePort} when none is given; 0 picks a free one).",
            HelpName = "PORT",
            Arity = ArgumentArity.ZeroOrOne,
            CustomParser = result => result.Tokens.Count == 0 ? ReportCommand.DefaultLivePort : int.TryParse(result.Tokens[0].Value, out int p) && p is >= 0 and <= 65535 ? p : Invalid(result),
        };
        var otlp = new OtlpOption();
        var command = new Command("train", "Train a research agent: a small model from scratch (or a Hugging Face checkpoint with LoRA), SFT on expert demonstrations, then GRPO through the offline world's real tools, evaluated on held-out questions before and after. Checkpoints every few steps; --resume continues a killed run.")
        {
            config, preset, outDir, model, steps, sftSteps, seed, trainFiles, valFiles, printConfig, resume,
        };
        command.Options.Add(initialOnly);
        command.Options.Add(backend);
        command.Options.Add(tinkerUrl);
        command.Options.Add(tinkerModel);
        command.Options.Add(tinkerTokenizer);
        command.Options.Add(serveReport);
        otlp.AddTo(command);
        command.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(parse.InvocationConfiguration.Error, async () =>
        {
            TrainingConfig effective = TrainingConfigFile.Load(parse.GetValue(config)?.FullName, parse.GetValue(preset));
            if (parse.GetValue(steps) is int n)
            {
                effective.Trainer.TotalSteps = n;
            }

            if (parse.GetValue(seed) is ulong seedValue)
            {
                effective.Trainer.Seed = seedValue;
            }

            if (parse.GetValue(sftSteps) is int s)
            {
                effective.Sft.Steps = s;
            }

            if (parse.GetValue(trainFiles) is FileInfo trainFile)
            {
                effective.Data.TrainFiles = trainFile.FullName;
            }

            if (parse.GetValue(valFiles) is FileInfo valFile)
            {
                effective.Data.ValFiles = valFile.FullName;
            }

            if (parse.GetValue(model) is DirectoryInfo modelDir)
            {
                effective.Model.Path = modelDir.FullName;
            }

            if (parse.GetValue(backend) is string backendName)
            {
                effective.Trainer.Backend = ConfigChoices.PolicyBackend.TryParse(backendName, out PolicyBackendKind kind)
                    ? kind
                    : throw new UsageException(ConfigChoices.Problem("--backend", ConfigChoices.PolicyBackend, backendName));
            }

            if (parse.GetValue(tinkerUrl) is string url)
            {
                effective.Tinker.BaseUrl = url;
            }

            if (parse.GetValue(tinkerModel) is string baseModel)
            {
                effective.Tinker.BaseModel = baseModel;
            }

            if (parse.GetValue(tinkerTokenizer) is FileInfo tokenizerFile)
            {
                effective.Tinker.Tokenizer = tokenizerFile.FullName;
            }

            // The command-line overrides are values of the config too: checked as the file's are, before anything is printed or run.
            TrainingConfigFile.ValidateValues(effective);
            TextWriter output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(printConfig))
            {
                await output.WriteAsync(TrainingPresets.Annotate(effective));
                return 0;
            }

            if (effective.Preset == "qwen2.5-0.5b" && effective.Model.Path.Length == 0)
            {
                throw new UsageException("the qwen2.5-0.5b preset trains a Hugging Face checkpoint: give its directory with --model DIR (config.json, model.safetensors, tokenizer.json)");
            }

            if (parse.GetValue(initialOnly))
            {
                string initial = await new TrainingPipeline(effective, parse.GetRequiredValue(outDir).FullName, ProgressConsole.For(parse)).WriteInitialModelAsync(cancellationToken);
                await output.WriteLineAsync($"initial model: {initial}");
                return 0;
            }

            await TrainingPreflight.CheckAsync(effective, cancellationToken);
            using OtlpExport? telemetry = otlp.Start(parse, "deepresearcher-train");
            var console = ProgressConsole.For(parse);
            string runDirectory = parse.GetRequiredValue(outDir).FullName;
            await using LiveReportServer? live = parse.GetValue(serveReport) is int livePort
                ? await StartLiveViewAsync(runDirectory, livePort, output, cancellationToken)
                : null;
            var pipeline = new TrainingPipeline(effective, runDirectory, console)
            {
                Resume = parse.GetValue(resume),
                Progress = console,
            };
            TrainingResult result = await pipeline.RunAsync(cancellationToken);
            await output.WriteLineAsync($"before training:  {result.Initial}");
            await output.WriteLineAsync($"after SFT:        {result.AfterSft}");
            await output.WriteLineAsync($"after GRPO:       {result.AfterGrpo}");
            if (result.SampledAfterSft is not null && result.SampledAfterGrpo is not null)
            {
                await output.WriteLineAsync($"after SFT, sampled:  {result.SampledAfterSft}");
                await output.WriteLineAsync($"after GRPO, sampled: {result.SampledAfterGrpo}");
            }

            await output.WriteLineAsync(result.RewardWindow == 1
                ? FormattableString.Invariant($"GRPO rollout reward, first step {result.FirstStepReward:F3} → last step {result.LastStepReward:F3}")
                : FormattableString.Invariant($"GRPO rollout reward, mean of the first {result.RewardWindow} steps {result.FirstStepReward:F3} → of the last {result.RewardWindow} {result.LastStepReward:F3} (sampled on train questions; the held-out evaluations above are the measure)"));
            await output.WriteLineAsync($"run: {result.RunDirectory}  (report: deepresearcher report {result.RunDirectory})");
            await output.WriteLineAsync($"checkpoint: {result.CheckpointDirectory}");
            await output.WriteLineAsync(result.ElapsedAllSessions - result.Elapsed > TimeSpan.FromSeconds(1)
                ? FormattableString.Invariant($"time: {result.Elapsed.TotalMinutes:F1} min this session, {result.ElapsedAllSessions.TotalMinutes:F1} min over all sessions, on {result.Cpu}")
                : FormattableString.Invariant($"time: {result.Elapsed.TotalMinutes:F1} min on {result.Cpu}"));
            return 0;
        }));
        return command;
    }

    private static async Task<LiveReportServer> StartLiveViewAsync(string runDirectory, int port, TextWriter output, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(runDirectory);
        LiveReportServer server = await LiveReportServer.StartAsync(runDirectory, "127.0.0.1", port, cancellationToken);
        await output.WriteLineAsync($"live report at {server.Url}");
        await output.FlushAsync(cancellationToken);
        return server;
    }

    private static int? Invalid(System.CommandLine.Parsing.ArgumentResult result)
    {
        result.AddError($"--serve-report '{result.Tokens[0].Value}' is not a port; give a number from 0 to 65535, or nothing for {ReportCommand.DefaultLivePort}");
        return null;
    }
}
