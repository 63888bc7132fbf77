using System.CommandLine;
using DeepResearcher.Training.Configuration;
using DeepResearcher.Training.Pipeline;

namespace DeepResearcher.Cli.Commands;

/// <summary><c>deepresearcher train</c>: SFT warm start then GRPO in the offline world.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var config = new Option<FileInfo?>("--config") { Description = "YAML config; its keys override the preset's (see --print-config)." };
        var preset = new Option<string?>("--preset") { Description = $"Starting point: {string.Join(", ", TrainingPresets.Names)} (default offline-tiny, or the one the config names)." };
        var outDir = new Option<DirectoryInfo>("--out") { Description = "Run directory: world, metrics, trajectories, checkpoint.", DefaultValueFactory = _ => new DirectoryInfo("runs/offline-tiny") };
        var steps = new Option<int?>("--steps") { Description = "GRPO steps (trainer.total_steps)." };
        var sftSteps = new Option<int?>("--sft-steps") { Description = "Supervised warm-start steps (sft.steps)." };
        var printConfig = new Option<bool>("--print-config") { Description = "Print the effective config as YAML and exit." };
        var command = new Command("train", "Train a research agent: a tokenizer and a small model from scratch, SFT on expert demonstrations, then GRPO through the offline world's real tools, evaluated on held-out questions before and after.")
        {
            config, preset, outDir, steps, sftSteps, printConfig,
        };
        command.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(parse.InvocationConfiguration.Error, async () =>
        {
            TrainingConfig effective = TrainingConfigFile.Load(parse.GetValue(config)?.FullName, parse.GetValue(preset));
            if (parse.GetValue(steps) is int n)
            {
                effective.Trainer.TotalSteps = n;
            }

            if (parse.GetValue(sftSteps) is int s)
            {
                effective.Sft.Steps = s;
            }

            TextWriter output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(printConfig))
            {
                await output.WriteAsync(TrainingConfigFile.ToYaml(effective));
                return 0;
            }

            if (effective.Model.Path.Length > 0)
            {
                throw new UsageException("training from a Hugging Face checkpoint (model.path, the qwen2.5-0.5b preset) is not wired yet; this command trains the offline-tiny model from scratch");
            }

            TrainingConfigFile.Validate(effective);
            var pipeline = new OfflineTinyPipeline(effective, parse.GetRequiredValue(outDir).FullName, new ProgressLog(parse.InvocationConfiguration.Error));
            OfflineTinyResult result = await pipeline.RunAsync(cancellationToken);
            await output.WriteLineAsync($"before training:  {result.Initial}");
            await output.WriteLineAsync($"after SFT:        {result.AfterSft}");
            await output.WriteLineAsync($"after GRPO:       {result.AfterGrpo}");
            await output.WriteLineAsync(FormattableString.Invariant($"GRPO reward, first step {result.FirstStepReward:F3} → last step {result.LastStepReward:F3}"));
            await output.WriteLineAsync($"run: {result.RunDirectory}  (report: deepresearcher report {result.RunDirectory})");
            await output.WriteLineAsync($"checkpoint: {result.CheckpointDirectory}");
            return 0;
        }));
        return command;
    }
}
