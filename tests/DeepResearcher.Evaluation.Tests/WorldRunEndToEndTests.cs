using System.Text.Json.Nodes;
using DeepResearcher.Core.Agent;
using DeepResearcher.Evaluation.Datasets;
using DeepResearcher.Evaluation.Reporting;
using DeepResearcher.Evaluation.Running;
using DeepResearcher.Evaluation.Runs;
using DeepResearcher.Evaluation.Scoring;
using DeepResearcher.Environments.World;
using DeepResearcher.World.Building;
using DeepResearcher.World.Demonstration;
using DeepResearcher.World.Generation;
using DeepResearcher.World.Questions;
using DeepResearcher.World.Storage;

namespace DeepResearcher.Evaluation.Tests;

public class WorldRunEndToEndTests
{
    [Fact]
    public async Task The_expert_on_a_tiny_world_scores_like_eval_score_on_the_same_predictions()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using var dir = new TempDirectory();
        string worldDir = Path.Combine(dir.Path, "world");
        await WorldBuilder.BuildAsync(new WorldBuildOptions { OutDir = worldDir, Seed = 11, Size = WorldSize.Tiny }, null, ct);
        string dataPath = WorldFiles.FullPath(worldDir, WorldFiles.QuestionFile(QuestionSplit.Dev));
        Dictionary<string, WorldQuestion> world = (await QuestionJsonl.ReadAsync(dataPath, ct)).ToDictionary(q => q.Id, StringComparer.Ordinal);
        IReadOnlyList<QaExample> examples = new QuestionSelection { Limit = 24 }.Apply(await QaDataset.LoadAsync(dataPath, ct));

        string runDir = Path.Combine(dir.Path, "run");
        await using (OfflineWorld offline = await OfflineWorld.StartAsync(worldDir, searchOverHttp: true, ct))
        {
            var runner = new EvaluationRunner(
                (e, sample) => new ExpertDemonstrator(world[e.Id], ExpertNoise.Varied, 5 + (ulong)sample),
                offline.CreateToolbox(),
                new EvaluationRunOptions { Concurrency = 4, Agent = new ResearchAgentOptions { MaxContextTokens = 1_000_000, Today = new DateOnly(2026, 1, 1) } });
            EvaluationRunSummary summary = await runner.RunAsync(new RunDirectory(runDir), new RunManifest { Name = "expert", Kind = "eval", Model = "expert" }, examples, null, ct);
            Assert.Equal(examples.Count, summary.Completed);
        }

        (RunReportData report, string html, string markdown) = await RunReport.WriteAsync(runDir, ct);

        // The same predictions through 'eval score' give the same numbers, per source and overall.
        string predictions = Path.Combine(dir.Path, "predictions.jsonl");
        await File.WriteAllLinesAsync(predictions, report.Results.Select(r => new JsonObject { ["id"] = r.Id, ["prediction"] = r.Prediction }.ToJsonString()), ct);
        string subset = Path.Combine(dir.Path, "subset.jsonl");
        await File.WriteAllLinesAsync(subset, File.ReadLines(dataPath).Where(line => examples.Any(e => line.Contains($"\"id\":\"{e.Id}\"", StringComparison.Ordinal))), ct);
        ScoreReport reference = await PredictionScorer.ScoreFilesAsync(predictions, subset, missingAsEmpty: false, ct);
        Assert.Equal(reference.Overall.Count, report.Overall.Questions);
        Assert.Equal(reference.Overall.ExactMatch, report.Overall.Em, 12);
        Assert.Equal(reference.Overall.F1, report.Overall.F1, 12);
        Assert.Equal(reference.Overall.SetF1, report.Overall.SetF1, 12);
        Assert.Equal(reference.Overall.CoverExactMatch, report.Overall.CoverEm, 12);
        Assert.Equal(reference.Sources.Select(s => (s.Source, s.Scores.F1)), report.BySource.Select(s => (s.Group, s.F1)));

        // The expert solves most of the world through the real tools, and its behaviour shows in the metrics.
        Assert.True(report.Overall.F1 > 0.8, $"expert F1 {report.Overall.F1}");
        Assert.True(report.BehaviourOverall.Searches >= 1);
        Assert.True(report.BehaviourOverall.Browses >= 1);
        Assert.NotEmpty(report.ByHops);
        Assert.Equal(examples.Count, report.Behaviour.Count);

        string page = await File.ReadAllTextAsync(html, ct);
        Assert.Contains($"data-group=\"overall\" data-metric=\"f1\"><span class=\"score {ReportFormat.ScoreClass(report.Overall.F1)}\">{ReportFormat.Percent(report.Overall.F1)}<", page, StringComparison.Ordinal);
        Assert.DoesNotContain("http://", page.Replace("http://www.w3.org/2000/svg", string.Empty, StringComparison.Ordinal).Split("<script type=\"application/json\"")[0], StringComparison.Ordinal);
        Assert.Contains($"| overall | {examples.Count} | {ReportFormat.Percent(report.Overall.Em)} | {ReportFormat.Percent(report.Overall.F1)} |", await File.ReadAllTextAsync(markdown, ct), StringComparison.Ordinal);
    }
}
