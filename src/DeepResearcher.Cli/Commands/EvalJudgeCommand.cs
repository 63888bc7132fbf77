using System.CommandLine;
using System.Globalization;
using DeepResearcher.ChatModels;
using DeepResearcher.Evaluation.Judging;
using DeepResearcher.Evaluation.Reporting;
using DeepResearcher.Evaluation.Runs;

namespace DeepResearcher.Cli.Commands;

/// <summary><c>deepresearcher eval judge RUN_DIR</c>: fills the MBE verdicts of a run with an LLM judge.</summary>
internal static class EvalJudgeCommand
{
    public static Command Create()
    {
        var dir = new Argument<DirectoryInfo>("run-dir") { Description = "A run directory made by 'eval run'." };
        var judge = ModelEndpointOptions.Judge();
        judge.Url.Required = true;
        judge.Model.Required = true;
        // The names this command had before the judge's options were shared with 'eval run' (where --api-key-env is the policy's).
        judge.ApiKeyEnv.Aliases.Add("--api-key-env");
        judge.Timeout!.Aliases.Add("--timeout");
        judge.Retries!.Aliases.Add("--retries");
        var concurrency = new Option<int>("--concurrency") { Description = "Judge calls at once (the original used 16).", DefaultValueFactory = _ => 16 };
        var attempts = new Option<int>("--attempts") { Description = "Tries per prediction before an invalid reply counts as a judge failure.", DefaultValueFactory = _ => 3 };
        var temperature = new Option<float>("--temperature") { Description = "Judge temperature (the original used 0.7).", DefaultValueFactory = _ => 0.7f };
        var cache = new Option<FileInfo?>("--cache") { Description = "Verdict cache (JSONL); default RUN_DIR/judge-cache.jsonl." };
        var rejudge = new Option<bool>("--rejudge") { Description = "Judge results that already have a verdict again (the cache still answers what it knows)." };
        var command = new Command("judge", "Judge a run's predictions with an LLM (model-based evaluation, MBE) and write the verdicts into results.jsonl.")
        {
            dir, concurrency, attempts, temperature, cache, rejudge,
        };
        judge.AddTo(command);
        command.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(parse.InvocationConfiguration.Error, async () =>
        {
            var log = ProgressConsole.For(parse);
            RunDirectory run = RunDirectory.Open(parse.GetRequiredValue(dir).FullName);
            var judgeClient = new OpenAIChatModel(judge.ReadRequired(parse, "eval judge calls a judge model"));
            await using JudgeCache verdicts = await JudgeCache.OpenAsync(parse.GetValue(cache)?.FullName ?? run.JudgeCachePath, cancellationToken);
            var mbe = new MbeJudge(judgeClient, verdicts, parse.GetValue(attempts), parse.GetValue(temperature));
            RunJudgingSummary summary = await RunJudging.JudgeAsync(run, mbe, parse.GetValue(concurrency), parse.GetValue(rejudge), log, cancellationToken);
            log.Report(string.Create(CultureInfo.InvariantCulture,
                $"judged {summary.Judged}: {summary.ExactMatches} exact matches, {summary.NoAnswers} without an answer, {summary.FromCache} from the cache, {summary.JudgeCalls} by the judge, {summary.Failures} judge failures; {summary.AlreadyJudged} already judged"));
            (RunReportData report, string html, _) = await RunReport.WriteAsync(run.Root, cancellationToken);
            await parse.InvocationConfiguration.Output.WriteAsync(EvalRunCommand.TextTable(report));
            log.Report($"report: {html}");
            if (summary.Failures > 0)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"warning: {summary.Failures} predictions have no verdict (the judge never gave valid JSON); they are left out of MBE, and a rerun retries them");
            }

            return 0;
        }));
        return command;
    }
}
