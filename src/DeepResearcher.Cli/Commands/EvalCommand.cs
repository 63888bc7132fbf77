using System.CommandLine;
using System.Text.Json;
using DeepResearcher.Core.Rewards;
using DeepResearcher.Evaluation.Scoring;

namespace DeepResearcher.Cli.Commands;

/// <summary><c>deepresearcher eval …</c>: scoring predictions against datasets.</summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var eval = new Command("eval", "Evaluate research agents and score predictions.");
        eval.Subcommands.Add(CreateScore());
        eval.Subcommands.Add(EvalRunCommand.Create());
        eval.Subcommands.Add(EvalJudgeCommand.Create());
        return eval;
    }

    private static Command CreateScore()
    {
        var predictions = new Option<FileInfo>("--predictions") { Description = "JSONL file of {\"id\", \"prediction\"} lines.", Required = true };
        var data = new Option<FileInfo>("--data") { Description = DataOption.Description, Required = true };
        var json = new Option<bool>("--json") { Description = "Print the scores as a JSON object instead of a table." };
        var missingAsEmpty = new Option<bool>("--missing-as-empty") { Description = "Score questions without a prediction as empty answers instead of failing." };
        Option<string?> metricRules = MetricRulesOption.Create();
        var command = new Command("score", "Score a predictions file: EM and F1 (SQuAD v1.1), set-F1 (the original's reward F1) and cover-EM, per source and overall.")
        {
            predictions, data, json, missingAsEmpty, metricRules,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            TextWriter output = parse.InvocationConfiguration.Output;
            return CommandErrors.RunAsync(parse.InvocationConfiguration.Error, async () =>
            {
                MetricRules rules = MetricRulesOption.Parse(parse.GetValue(metricRules));
                ScoreReport report = await PredictionScorer.ScoreFilesAsync(
                    parse.GetRequiredValue(predictions).FullName, parse.GetRequiredValue(data).FullName, parse.GetValue(missingAsEmpty), cancellationToken, rules);
                if (parse.GetValue(json))
                {
                    await output.WriteLineAsync(report.ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
                }
                else
                {
                    await output.WriteAsync(report.ToTable());
                }

                return 0;
            });
        });
        return command;
    }
}
