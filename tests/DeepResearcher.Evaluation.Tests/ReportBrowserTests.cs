using DeepResearcher.Evaluation.Reporting;
using Microsoft.Playwright;

namespace DeepResearcher.Evaluation.Tests;

/// <summary>The HTML report opened in real headless Chromium (Debian's /usr/bin/chromium) through Playwright.</summary>
public class ReportBrowserTests
{
    private const string ChromiumPath = "/usr/bin/chromium";

    private static readonly string[] ChromiumArgs =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];

    [Fact]
    public async Task Report_shows_the_scores_expands_a_trajectory_and_runs_without_console_errors()
    {
        Assert.True(File.Exists(ChromiumPath), $"{ChromiumPath} is missing: install it with 'apt-get install -y chromium'");
        CancellationToken ct = TestContext.Current.CancellationToken;
        using var dir = new TempDirectory();
        string run = await RunFixture.CreateAsync(Path.Combine(dir.Path, "run"), ct);
        (_, string html, _) = await RunReport.WriteAsync(run, ct);

        using IPlaywright playwright = await Playwright.CreateAsync();
        await using IBrowserContext browser = await playwright.Chromium.LaunchPersistentContextAsync(Path.Combine(dir.Path, "profile"), new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ChromiumArgs,
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
            Timeout = 30_000,
        });
        IPage page = browser.Pages.Count > 0 ? browser.Pages[0] : await browser.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add(message.Text);
            }
        };
        page.PageError += (_, error) => errors.Add(error);
        var requests = new List<string>();
        page.Request += (_, request) => requests.Add(request.Url);

        await page.GotoAsync(new Uri(html).AbsoluteUri);

        // Score table: nq EM 50.0 / F1 90.0, tq 0.0, overall F1 60.0 (as 'eval score' computes for the same predictions).
        Assert.Equal("50.0", await Cell(page, "#score-table", "nq", "em"));
        Assert.Equal("90.0", await Cell(page, "#score-table", "nq", "f1"));
        Assert.Equal("0.0", await Cell(page, "#score-table", "tq", "f1"));
        Assert.Equal("60.0", await Cell(page, "#score-table", "overall", "f1"));
        Assert.Equal("100.0", await Cell(page, "#score-table", "nq", "mbe"));
        Assert.Equal("—", await Cell(page, "#score-table", "tq", "mbe"));
        Assert.Equal("100.0", await Cell(page, "#score-table", "overall", "mbe"));
        Assert.Equal("1", (await page.Locator("#score-table tr[data-group=tq] td").Last.InnerTextAsync()).Trim());
        Assert.Equal("90.0 / 100.0", (await page.Locator("#paper-in-domain td[data-benchmark=nq]").InnerTextAsync()).Trim());
        Assert.Equal("0.0 / —", (await page.Locator("#paper-in-domain td[data-benchmark=tq]").InnerTextAsync()).Trim());
        Assert.Contains("39.6 / 61.9", await page.Locator("#paper-in-domain tr.paper.dr").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(3, await page.Locator("#viewer .q").CountAsync());
        Assert.True(await page.Locator("#training svg.chart").CountAsync() >= 5);

        // Filters (they re-render the list, so before expanding anything): by source, then by score.
        await page.Locator("#f-source").SelectOptionAsync("tq");
        Assert.Equal(1, await page.Locator("#viewer .q").CountAsync());
        await page.Locator("#f-source").SelectOptionAsync(string.Empty);
        await page.Locator("#f-score").SelectOptionAsync("correct");
        Assert.Equal(1, await page.Locator("#viewer .q").CountAsync());
        await page.Locator("#f-score").SelectOptionAsync(string.Empty);

        // Clicking a question expands its turns; observations start collapsed.
        ILocator first = page.Locator("#viewer .q[data-id=q1]");
        await first.Locator(".q-row").ClickAsync();
        Assert.Equal(3, await first.Locator(".turn").CountAsync());
        Assert.Contains("capital of France", await first.Locator(".turn").Nth(0).InnerTextAsync(), StringComparison.Ordinal);
        ILocator observation = first.Locator("details.obs pre").First;
        Assert.False(await observation.IsVisibleAsync());
        await first.Locator("details.obs summary").First.ClickAsync();
        Assert.True(await observation.IsVisibleAsync());
        // The hostile HTML in the observation is shown as text, never run.
        Assert.Contains("<script>window.__pwned = 1</script>", await observation.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await page.EvaluateAsync<int>("() => window.__pwned || 0"));

        // The GRPO group view shows one column per rollout with its advantage.
        Assert.Equal(3, await page.Locator("#group-view .rollout").CountAsync());
        Assert.Contains("A -1.40", await page.Locator("#group-view .rollout").Nth(2).InnerTextAsync(), StringComparison.Ordinal);

        await first.ScrollIntoViewIfNeededAsync();
        string screenshot = Path.Combine(RepositoryRoot(), "artifacts", "test-screenshots", "report.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
        await page.Locator("#trajectories").ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.ChangeExtension(screenshot, null) + "-viewer.png" });
        foreach (string section in new[] { "scores", "training", "groups" })
        {
            await page.Locator("#" + section).ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.ChangeExtension(screenshot, null) + $"-{section}.png" });
        }

        Assert.Empty(errors);
        Assert.All(requests, url => Assert.StartsWith("file://", url, StringComparison.Ordinal));
    }

    private static async Task<string> Cell(IPage page, string table, string group, string metric)
        => (await page.Locator($"{table} td[data-group=\"{group}\"][data-metric=\"{metric}\"]").InnerTextAsync()).Trim();

    private static string RepositoryRoot()
        => typeof(ReportBrowserTests).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
               .Cast<System.Reflection.AssemblyMetadataAttribute>().Single(a => a.Key == "RepositoryRoot").Value!;
}
