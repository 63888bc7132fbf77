using System.Text.Json.Nodes;
using DeepResearcher.Evaluation.Reporting;
using DeepResearcher.Evaluation.Runs;

namespace DeepResearcher.Evaluation.Tests;

public class HtmlReportTests
{
    [Fact]
    public async Task The_page_is_self_contained_and_escapes_run_text()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using var dir = new TempDirectory();
        string run = await RunFixture.CreateAsync(dir.File("run"), ct);

        (_, string html, string markdown) = await RunReport.WriteAsync(run, ct);
        string page = await File.ReadAllTextAsync(html, ct);

        Assert.Contains("<h1>fixture &lt;run&gt;</h1>", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>window.__pwned", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<link", page, StringComparison.Ordinal);
        Assert.DoesNotContain(" src=\"http", page, StringComparison.Ordinal);
        Assert.Equal(2, page.Split("<script").Length - 1);
        string md = await File.ReadAllTextAsync(markdown, ct);
        Assert.Contains("| nq | 2 | 50.0 | 90.0 | 100.0 | 100.0 | 100.0 | 100.0 | 0 |", md, StringComparison.Ordinal);
        Assert.Contains("| tq | 1 | 0.0 | 0.0 | 0.0 | 0.0 | — | 100.0 | 1 |", md, StringComparison.Ordinal);
        Assert.Contains("| **this run (scripted)** | this project | 90.0 / 100.0 | 0.0 / — | — | — |", md, StringComparison.Ordinal);
        // Which metric definitions produced the numbers.
        Assert.Contains("- metrics: published definitions (SQuAD v1.1 EM/F1, the original's set-F1)\n", md, StringComparison.Ordinal);
        Assert.Contains("<b>metrics</b>published definitions (SQuAD v1.1 EM/F1, the original&#39;s set-F1)", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_training_run_without_results_still_gets_its_curves()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File(RunFiles.Metrics),
            [.. Enumerable.Range(1, 3).Select(step => new JsonObject { ["step"] = step, ["reward_mean"] = step / 10.0, ["kl"] = 0.01 }.ToJsonString())], ct);

        (RunReportData data, string html, _) = await RunReport.WriteAsync(dir.Path, ct);
        string page = await File.ReadAllTextAsync(html, ct);

        Assert.Equal(3, data.Metrics.Count);
        Assert.Contains("id=\"training\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"score-table\"", page, StringComparison.Ordinal);
        Assert.Contains("<polyline", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_training_run_compares_its_stages_and_draws_its_warm_start()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File(RunFiles.Metrics), [new JsonObject { ["step"] = 1, ["reward_mean"] = 0.1 }.ToJsonString()], ct);
        await File.WriteAllLinesAsync(dir.File(RunFiles.WarmStart),
            [.. Enumerable.Range(1, 5).Select(step => new JsonObject { ["step"] = step, ["stage"] = step <= 3 ? "pretrain" : "sft", ["loss"] = 6.0 - step, ["lr"] = 0.003, ["tokens"] = 100 }.ToJsonString())], ct);
        static string Stage(string stage, double setF1, double toolCalls, int samples = 0) => new JsonObject
        {
            ["stage"] = stage, ["questions"] = 200, ["samples"] = samples, ["temperature"] = samples > 0 ? 0.6 : 0,
            ["set_f1"] = setF1, ["f1"] = setF1, ["em"] = setF1 / 2, ["format_error_rate"] = 0.25, ["answer_rate"] = 0.75, ["tool_calls"] = toolCalls,
        }.ToJsonString();
        await File.WriteAllLinesAsync(dir.File(RunFiles.Evaluations),
            [Stage("initial", 0, 0), Stage("after-sft", 0.063, 1.5), Stage("after-grpo", 0.176, 2.83), Stage("after-grpo-sampled", 0.084, 2.5, samples: 4)], ct);

        (RunReportData data, string html, string markdown) = await RunReport.WriteAsync(dir.Path, ct);
        string page = await File.ReadAllTextAsync(html, ct);

        Assert.Equal((5, 4), (data.WarmStart.Count, data.Evaluations.Count));
        Assert.Contains("<tr data-stage=\"initial\"><td>before training</td><td class=\"num\">200</td>", page, StringComparison.Ordinal);
        Assert.Contains("<tr data-stage=\"after-sft\"><td>after SFT</td>", page, StringComparison.Ordinal);
        Assert.Contains("<tr data-stage=\"after-grpo-sampled\"><td>after GRPO, 4 samples at T = 0.6</td>", page, StringComparison.Ordinal);
        Assert.Contains("<td class=\"num\" data-metric=\"tool_calls\">2.83</td>", page, StringComparison.Ordinal);
        Assert.Matches("<polyline [^>]*points=\"[0-9.]+,[0-9.]+ [0-9.]+,[0-9.]+ [0-9.]+,[0-9.]+\"><title>pretrain loss</title>", page);
        Assert.Matches("<polyline [^>]*points=\"[0-9.]+,[0-9.]+ [0-9.]+,[0-9.]+\"><title>SFT loss</title>", page);
        string md = await File.ReadAllTextAsync(markdown, ct);
        Assert.Contains("| after GRPO | 200 | 17.6 | 17.6 | 8.8 | 25.0 | 75.0 | 2.83 |", md, StringComparison.Ordinal);
        Assert.Contains("5 warm-start steps", md, StringComparison.Ordinal);
    }

    [Fact]
    public void Source_names_map_to_the_paper_benchmarks()
    {
        Assert.Equal("tq", PaperResults.BenchmarkOf("TriviaQA"));
        Assert.Equal("2wiki", PaperResults.BenchmarkOf("2wikimultihopqa"));
        Assert.Equal("bamboogle", PaperResults.BenchmarkOf("Bamboogle"));
        Assert.Null(PaperResults.BenchmarkOf("world"));
        Assert.Equal((59.7, 66.6), PaperResults.Methods.Single(m => m.IsDeepResearcher).Scores["2wiki"]);
    }
}
