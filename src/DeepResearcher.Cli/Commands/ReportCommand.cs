using System.CommandLine;
using DeepResearcher.Evaluation.Reporting;
using DeepResearcher.Server.Reports;

namespace DeepResearcher.Cli.Commands;

/// <summary><c>deepresearcher report RUN_DIR</c>: writes report.html (with the trajectory viewer) and report.md, or serves the live view.</summary>
internal static class ReportCommand
{
    public const int DefaultLivePort = 8050;

    public static Command Create()
    {
        var dir = new Argument<DirectoryInfo>("run-dir") { Description = "A run directory (eval or training)." };
        var serve = new Option<bool>("--serve") { Description = "Serve the run's live view on loopback instead (curves, newest GRPO groups with rollouts, advantages and loss masks), refreshed as metrics.jsonl and the trajectory dumps grow, until Ctrl+C." };
        var port = new Option<int>("--port") { Description = "Port of the live view (0 picks a free one).", DefaultValueFactory = _ => DefaultLivePort };
        OptionRules.Require(port, p => p is >= 0 and <= 65535, "--port must be between 0 and 65535");
        var command = new Command("report", "Write RUN_DIR/report.html (self-contained, with the trajectory viewer) and RUN_DIR/report.md; with --serve, serve a live view of the run instead.") { dir, serve, port };
        command.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(parse.InvocationConfiguration.Error, async () =>
        {
            TextWriter output = parse.InvocationConfiguration.Output;
            string root = parse.GetRequiredValue(dir).FullName;
            if (parse.GetValue(serve))
            {
                if (!Directory.Exists(root))
                {
                    throw new UsageException($"{root}: run directory not found; give the directory a run writes (train --out DIR, eval run --out DIR)");
                }

                await using LiveReportServer server = await LiveReportServer.StartAsync(root, "127.0.0.1", parse.GetValue(port), cancellationToken);
                await output.WriteLineAsync($"live report of {root} at {server.Url} ; Ctrl+C stops");
                await output.FlushAsync(cancellationToken);
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    await output.WriteLineAsync("stopped");
                }

                return 0;
            }

            (RunReportData data, string html, string markdown) = await RunReport.WriteAsync(root, cancellationToken);
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
