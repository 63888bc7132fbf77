using DeepResearcher.Evaluation.Runs;
using DeepResearcher.Training.Evaluations;
using DeepResearcher.Training.Pipeline;

namespace DeepResearcher.Training.Tests.Pipeline;

public sealed class GrpoRunLogTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "dr-runlog-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public async Task Reopening_after_a_checkpoint_drops_the_later_steps_and_a_torn_last_line()
    {
        Directory.CreateDirectory(_dir);
        var run = new RunDirectory(_dir);
        await File.WriteAllLinesAsync(run.MetricsPath, [.. Enumerable.Range(1, 5).Select(s => $"{{\"step\":{s},\"reward_mean\":0}}"), "{\"step\":6,\"rew"], TestContext.Current.CancellationToken);
        await File.WriteAllLinesAsync(run.GroupsPath, [.. Enumerable.Range(1, 5).Select(s => $"{{\"step\":{s},\"question_id\":\"q\"}}")], TestContext.Current.CancellationToken);
        await File.WriteAllLinesAsync(run.TrajectoriesPath, [.. Enumerable.Range(1, 5).Select(s => $"{{\"id\":\"t{s}\",\"tags\":{{\"step\":\"{s}\"}}}}")], TestContext.Current.CancellationToken);

        await using (await GrpoRunLog.OpenAsync(run, 3, TestContext.Current.CancellationToken))
        {
        }

        Assert.Equal(3, File.ReadAllLines(run.MetricsPath).Length);
        Assert.Equal(3, File.ReadAllLines(run.GroupsPath).Length);
        Assert.Equal(["t1", "t2", "t3"], File.ReadAllLines(run.TrajectoriesPath).Select(l => System.Text.Json.Nodes.JsonNode.Parse(l)!["id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Evaluations_round_trip_through_their_json_file_with_the_hop_breakdown()
    {
        var evaluation = new PolicyEvaluation(10, 0.5, 0.4, 0.3, 0.1, 0.9, 2.5)
        {
            ByHops = [new HopEvaluation(1, 6, 0.6, 2.0), new HopEvaluation(2, 4, 0.35, 3.25)],
        };
        string path = Path.Combine(_dir, "evals", "after-sft.json");

        await PolicyEvaluator.SaveAsync(evaluation, path, TestContext.Current.CancellationToken);
        PolicyEvaluation? read = await PolicyEvaluator.LoadAsync(path, TestContext.Current.CancellationToken);

        Assert.NotNull(read);
        Assert.Equal(evaluation with { ByHops = [] }, read! with { ByHops = [] });
        Assert.Equal(evaluation.ByHops, read.ByHops);
        Assert.Contains("tool calls by hops: 1: 2.00, 2: 3.25", read.ToString(), StringComparison.Ordinal);
        Assert.Null(await PolicyEvaluator.LoadAsync(Path.Combine(_dir, "evals", "none.json"), TestContext.Current.CancellationToken));
    }
}
