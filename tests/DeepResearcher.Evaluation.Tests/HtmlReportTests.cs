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
    public void Source_names_map_to_the_paper_benchmarks()
    {
        Assert.Equal("tq", PaperResults.BenchmarkOf("TriviaQA"));
        Assert.Equal("2wiki", PaperResults.BenchmarkOf("2wikimultihopqa"));
        Assert.Equal("bamboogle", PaperResults.BenchmarkOf("Bamboogle"));
        Assert.Null(PaperResults.BenchmarkOf("world"));
        Assert.Equal((59.7, 66.6), PaperResults.Methods.Single(m => m.IsDeepResearcher).Scores["2wiki"]);
    }
}
