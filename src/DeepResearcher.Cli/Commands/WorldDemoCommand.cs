using System.CommandLine;
using System.Globalization;
using System.Text;
using DeepResearcher.Core.Protocol;
using DeepResearcher.Core.Trajectories;
using DeepResearcher.Environments.World;
using DeepResearcher.World.Demonstration;
using DeepResearcher.World.Questions;
using DeepResearcher.World.Storage;

namespace DeepResearcher.Cli.Commands;

/// <summary><c>deepresearcher world demo DIR</c>: the expert demonstrator through the world's real HTTP server and search.</summary>
internal static class WorldDemoCommand
{
    public static Command Create()
    {
        var dir = new Argument<DirectoryInfo>("dir") { Description = "A world directory made by 'world build'." };
        var split = new Option<string>("--split") { Description = "train, dev or test.", DefaultValueFactory = _ => "dev" };
        var limit = new Option<int?>("--limit") { Description = "Only the first N questions of the split." };
        var noisy = new Option<bool>("--noisy") { Description = "Make the expert imperfect (vague first queries, unneeded browses, giving up), as for varied demonstrations." };
        var concurrency = new Option<int>("--concurrency") { Description = "Questions researched at once.", DefaultValueFactory = _ => 8 };
        var outFile = new Option<FileInfo?>("--out") { Description = "Write every trajectory as JSONL to this file (usable as demonstrations)." };
        var inProcess = new Option<bool>("--in-process-search") { Description = "Query the FTS5 index in process instead of through the Serper-compatible HTTP endpoint." };
        var command = new Command("demo", "Run the expert demonstrator on a split through the world's HTTP server and search, and print its scores.")
        {
            dir, split, limit, noisy, concurrency, outFile, inProcess,
        };
        command.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(parse.InvocationConfiguration.Error, async () =>
        {
            TextWriter output = parse.InvocationConfiguration.Output;
            var log = ProgressConsole.For(parse);
            QuestionSplit questionSplit = Enum.TryParse(parse.GetRequiredValue(split), ignoreCase: true, out QuestionSplit s) && Enum.IsDefined(s)
                ? s
                : throw new UsageException($"--split '{parse.GetRequiredValue(split)}' is not one of train, dev, test");

            await using OfflineWorld world = await OfflineWorld.StartAsync(parse.GetRequiredValue(dir).FullName, !parse.GetValue(inProcess), cancellationToken);
            IReadOnlyList<WorldQuestion> questions = await QuestionJsonl.ReadAsync(WorldFiles.FullPath(world.Directory.Root, WorldFiles.QuestionFile(questionSplit)), cancellationToken);
            if (parse.GetValue(limit) is int n)
            {
                questions = [.. questions.Take(Math.Max(0, n))];
            }

            log.Report($"world served at {world.Server.BaseUrl}; {questions.Count} {questionSplit.ToString().ToLowerInvariant()} questions");
            int done = 0;
            double f1Sum = 0;
            var order = new Lock();
            var progress = new SynchronousProgress<DemonstrationResult>(result =>
            {
                // Counted and reported under one lock: the demonstrations finish on several threads.
                lock (order)
                {
                    done++;
                    f1Sum += result.Scores.F1;
                    log.Report(new ProgressUpdate("demo", done, questions.Count, "question", FormattableString.Invariant($"F1 {f1Sum / done * 100:F1}")));
                }
            });
            IReadOnlyList<DemonstrationResult> results = await DemonstrationRun.RunAsync(
                world, questions, parse.GetValue(noisy) ? ExpertNoise.Varied : ExpertNoise.None, 7, parse.GetValue(concurrency), progress, cancellationToken);

            if (parse.GetValue(outFile) is { } file)
            {
                await WriteTrajectoriesAsync(file.FullName, results, cancellationToken);
                log.Report($"trajectories written to {file.FullName}");
            }

            await output.WriteAsync(Summary(results));
            return 0;
        }));
        return command;
    }

    internal static string Summary(IReadOnlyList<DemonstrationResult> results)
    {
        var sb = new StringBuilder();
        sb.AppendLine("type           n      EM      F1  set-F1  searches  browses  turns  answered");
        foreach (IGrouping<string, DemonstrationResult> group in results.GroupBy(r => QuestionTypes.WireName(r.Question.Type)).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            Row(sb, group.Key, [.. group]);
        }

        sb.AppendLine(new string('-', 78));
        Row(sb, "overall", results);
        foreach (IGrouping<int, DemonstrationResult> hops in results.GroupBy(r => r.Question.Hops).OrderBy(g => g.Key))
        {
            Row(sb, $"{hops.Key} hop(s)", [.. hops]);
        }

        return sb.ToString();
    }

    private static void Row(StringBuilder sb, string name, IReadOnlyList<DemonstrationResult> rows)
    {
        double Mean(Func<DemonstrationResult, double> f) => rows.Count == 0 ? 0 : rows.Average(f);
        sb.Append(name.PadRight(10))
          .Append(rows.Count.ToString(CultureInfo.InvariantCulture).PadLeft(5))
          .Append((Mean(r => r.Scores.ExactMatch) * 100).ToString("0.0", CultureInfo.InvariantCulture).PadLeft(8))
          .Append((Mean(r => r.Scores.F1) * 100).ToString("0.0", CultureInfo.InvariantCulture).PadLeft(8))
          .Append((Mean(r => r.Scores.SetF1) * 100).ToString("0.0", CultureInfo.InvariantCulture).PadLeft(8))
          .Append(Mean(r => r.Trajectory.ToolCallCount(ResearchTools.WebSearchName)).ToString("0.00", CultureInfo.InvariantCulture).PadLeft(10))
          .Append(Mean(r => r.Trajectory.ToolCallCount(ResearchTools.BrowseWebpageName)).ToString("0.00", CultureInfo.InvariantCulture).PadLeft(9))
          .Append(Mean(r => r.Trajectory.Turns.Count).ToString("0.00", CultureInfo.InvariantCulture).PadLeft(7))
          .Append((Mean(r => r.Trajectory.Termination == TerminationReason.Answered ? 1 : 0) * 100).ToString("0.0", CultureInfo.InvariantCulture).PadLeft(9) + "%")
          .AppendLine();
    }

    private static async Task WriteTrajectoriesAsync(string path, IReadOnlyList<DemonstrationResult> results, CancellationToken cancellationToken)
    {
        string temp = path + ".tmp";
        await using (var writer = new StreamWriter(temp, append: false, new UTF8Encoding(false)))
        {
            foreach (DemonstrationResult result in results)
            {
                await TrajectoryJson.WriteAsync(writer, result.Trajectory, cancellationToken);
            }
        }

        File.Move(temp, path, overwrite: true);
    }
}
