using System.Text.Json.Nodes;
using DeepResearcher.Core.Agent;
using DeepResearcher.Core.Protocol;
using DeepResearcher.Core.Protocol.Observations;
using DeepResearcher.Evaluation.Datasets;
using DeepResearcher.Evaluation.Running;
using DeepResearcher.Evaluation.Runs;
using DeepResearcher.Testing;

namespace DeepResearcher.Evaluation.Tests;

/// <summary>
/// A small run directory made by the real runner: two paper benchmarks (nq, tq) with known scores, tool calls whose
/// observations hold hostile HTML, plus training files (metrics.jsonl, groups.jsonl).
/// </summary>
internal static class RunFixture
{
    public const string Hostile = "<script>window.__pwned = 1</script><img src=x onerror=\"window.__pwned = 2\"><b>bold</b>";

    // nq: q1 exact (F1 1), q2 "new new york" vs "New York" (F1 0.8) → F1 90.0, EM 50.0, MBE 100; tq: q3 wrong (0) → 0.0, judge failed.
    public static IReadOnlyList<QaExample> Examples { get; } =
    [
        new("q1", "nq", "What is the capital of France?", ["Paris"]),
        new("q2", "nq", "Which city is the Big Apple?", ["New York"]),
        new("q3", "tq", "What colour is the sky?", ["blue"]),
    ];

    public static async Task<string> CreateAsync(string root, CancellationToken cancellationToken)
    {
        var toolbox = new ScriptedToolbox();
        toolbox.SearchResults["capital of France"] = [new SearchHit("Paris " + Hostile, "https://example.org/paris", "Paris is the capital of France. " + Hostile)];
        toolbox.Pages["https://example.org/paris"] = "Paris, capital city. " + Hostile;
        var scripts = new Dictionary<string, IReadOnlyList<string>>
        {
            ["q1"] =
            [
                "Plan: search, then read.</think>\n<tool_call>\n{\"name\": \"web_search\", \"arguments\": {\"query\": [\"capital of France\"]}}\n</tool_call>",
                "Read the page.</think>\n<tool_call>\n{\"name\": \"browse_webpage\", \"arguments\": {\"url_list\": [\"https://example.org/paris\"]}}\n</tool_call>",
                "Confirmed.</think>\n<answer>Paris</answer>",
            ],
            ["q2"] = ["Known.</think>\n<answer>new new york</answer>"],
            ["q3"] = ["Guess.</think>\n<answer>red</answer>"],
        };
        var runner = new EvaluationRunner((e, _) => new ScriptedPolicy(scripts[e.Id]), toolbox, new EvaluationRunOptions { Concurrency = 2 });
        var run = new RunDirectory(root);
        await runner.RunAsync(run, new RunManifest { Name = "fixture <run>", Kind = "train", Model = "scripted", Data = "inline", Tools = "scripted" }, Examples, null, cancellationToken);

        // Judged as 'eval judge' would: q1 and q2 correct, the judge failed on q3.
        IReadOnlyList<RunResult> results = await run.LoadResultsAsync(cancellationToken);
        await RunResultFile.RewriteAsync(run.ResultsPath,
            results.Select(r => r.Id == "q3" ? r with { JudgeFailed = true } : r with { Mbe = 1 }), cancellationToken);

        var metrics = new List<string>();
        for (int step = 1; step <= 6; step++)
        {
            metrics.Add(new JsonObject
            {
                ["step"] = step, ["reward_mean"] = 0.1 * step, ["reward_std"] = 0.2, ["f1"] = 0.3 + 0.04 * step, ["format_error_rate"] = 0.1 / step,
                ["answer_rate"] = 0.8, ["searches"] = 2 + 0.3 * step, ["browses"] = 1 + 0.2 * step, ["turns"] = 4, ["response_tokens"] = 1800 + 300 * step,
                ["kl"] = 0.001 * step, ["entropy"] = 0.9, ["clip_fraction"] = 0.05, ["grad_norm"] = 1.2, ["lr"] = 1e-6,
            }.ToJsonString());
        }

        await File.WriteAllLinesAsync(run.MetricsPath, metrics, cancellationToken);
        await File.WriteAllTextAsync(run.GroupsPath,
            new JsonObject { ["step"] = 1, ["question_id"] = "q1", ["trajectory_ids"] = new JsonArray("q1", "q2", "q3"), ["rewards"] = new JsonArray(1.0, 0.8, 0.0), ["advantages"] = new JsonArray(0.9, 0.5, -1.4) }.ToJsonString() + "\n",
            cancellationToken);
        return root;
    }
}
