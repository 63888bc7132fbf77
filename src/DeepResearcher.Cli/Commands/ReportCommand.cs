using System.CommandLine;
using DeepResearcher.Evaluation.Reporting;

namespace DeepResearcher.Cli.Commands;

/// <summary><c>deepresearcher report RUN_DIR</c>: writes report.html (with the trajectory viewer) and report.md.</summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var dir = new Argument<DirectoryInfo>("run-dir") { Description = "A run directory (eval or training)." };
        var command = new Command("report", "Write RUN_DIR/report.html (self-contained, with the trajectory viewer) and RUN_DIR/report.md.") { dir };
        command.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(parse.InvocationConfiguration.Error, async () =>
        {
            (RunReportData data, string html, string markdown) = await RunReport.WriteAsync(parse.GetRequiredValue(dir).FullName, cancellationToken);
            TextWriter output = parse.InvocationConfiguration.Output;
            if (data.Results.Count > 0)
            {
                await output.WriteAsync(EvalRunCommand.TextTable(data));
            }

            await output.WriteLineAsync(html);
            await output.WriteLineAsync(markdown);
            return 0;
        }));
        return command;
    }
}
