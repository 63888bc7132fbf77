using DeepResearcher.Evaluation.Runs;

namespace DeepResearcher.Evaluation.Reporting;

/// <summary>Writes <c>report.html</c> and <c>report.md</c> into a run directory (each atomically).</summary>
public static class RunReport
{
    /// <returns>The data the report was made from, and the two paths written.</returns>
    public static async Task<(RunReportData Data, string HtmlPath, string MarkdownPath)> WriteAsync(string runDirectory, CancellationToken cancellationToken)
    {
        RunDirectory run = RunDirectory.Open(runDirectory);
        RunReportData data = await RunReportData.LoadAsync(run, cancellationToken);
        string html = Path.Combine(run.Root, RunFiles.HtmlReport);
        string markdown = Path.Combine(run.Root, RunFiles.MarkdownReport);
        await AtomicFile.WriteAllTextAsync(html, HtmlReportWriter.Write(data), cancellationToken);
        await AtomicFile.WriteAllTextAsync(markdown, MarkdownReportWriter.Write(data), cancellationToken);
        return (data, html, markdown);
    }
}
