using System.Text.Json.Nodes;
using DeepResearcher.Core.Trajectories;
using DeepResearcher.Evaluation.Runs;
using DeepResearcher.Server.Reports;
using Microsoft.Playwright;

namespace DeepResearcher.Evaluation.Tests;

/// <summary>The live training view (<c>report --serve</c>) in real headless Chromium: it redraws as the run's files grow.</summary>
public class LiveReportBrowserTests
{
    private const string ChromiumPath = "/usr/bin/chromium";

    private static readonly string[] ChromiumArgs =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];

    [Fact]
    public async Task The_chart_gains_a_point_when_a_step_is_appended_and_the_newest_group_shows_its_rollouts_and_masks()
    {
        Assert.True(File.Exists(ChromiumPath), $"{ChromiumPath} is missing: install it with 'apt-get install -y chromium'");
        CancellationToken ct = TestContext.Current.CancellationToken;
        using var dir = new TempDirectory();
        string run = Path.Combine(dir.Path, "live-run");
        Directory.CreateDirectory(run);
        await File.WriteAllLinesAsync(Path.Combine(run, RunFiles.Metrics), [Step(1, 0.1), Step(2, 0.3)], ct);
        await File.WriteAllLinesAsync(Path.Combine(run, RunFiles.Groups), [Group(2, "q7", ["t1", "t2"], [1.0, -1.0], [0.9, -0.9])], ct);
        await File.WriteAllLinesAsync(Path.Combine(run, RunFiles.Trajectories), [TrajectoryJson.Serialize(Rollout("t1", "Paris")), TrajectoryJson.Serialize(Rollout("t2", "Lyon"))], ct);
        await using LiveReportServer server = await LiveReportServer.StartAsync(run, "127.0.0.1", 0, ct, pollMilliseconds: 250);

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
        await page.GotoAsync(server.Url.AbsoluteUri);

        ILocator rewardPoints = page.Locator("svg[data-chart=reward] circle.pt[data-series='reward mean']");
        var slow = new LocatorAssertionsToHaveCountOptions { Timeout = 20_000 };
        await Assertions.Expect(rewardPoints).ToHaveCountAsync(2, slow);
        foreach (string chart in new[] { "f1", "tool_calls", "kl", "entropy" })
        {
            // One point per step and series: every chart has at least the two steps' points of its first series.
            Assert.True(await page.Locator($"svg[data-chart={chart}] circle.pt").CountAsync() >= 2, $"chart {chart} has its points");
        }

        // The newest group: its rollouts with reward and advantage, and the loss mask over each one's segments.
        ILocator rollouts = page.Locator("#live-groups .live-group[data-step='2'] .rollout");
        await Assertions.Expect(rollouts).ToHaveCountAsync(2, slow);
        Assert.Contains("A +0.90", await rollouts.Nth(0).InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("A -0.90", await rollouts.Nth(1).InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("answer: Lyon", await rollouts.Nth(1).InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(1, await rollouts.Nth(0).Locator(".mask-text .seg.trained").CountAsync());
        Assert.Equal(3, await rollouts.Nth(0).Locator(".mask-text .seg").CountAsync());

        // A step appended while the page is open: the chart gains a point, and the step count follows.
        await File.AppendAllLinesAsync(Path.Combine(run, RunFiles.Metrics), [Step(3, 0.6)], ct);
        await Assertions.Expect(rewardPoints).ToHaveCountAsync(3, slow);
        Assert.Equal("3", await rewardPoints.Nth(2).GetAttributeAsync("data-step"));
        Assert.Equal("3", (await page.Locator("#live-steps").InnerTextAsync()).Trim());

        // A line still being written is not read until it is complete.
        await File.AppendAllTextAsync(Path.Combine(run, RunFiles.Metrics), "{\"step\":4,\"reward_me", ct);
        await Task.Delay(1000, ct);
        Assert.Equal(3, await rewardPoints.CountAsync());
        await File.AppendAllTextAsync(Path.Combine(run, RunFiles.Metrics), "an\":0.7,\"f1\":0.5}\n", ct);
        await Assertions.Expect(rewardPoints).ToHaveCountAsync(4, slow);

        Assert.Empty(errors);
    }

    [Fact]
    public async Task The_feed_returns_only_the_lines_after_the_offset_and_refuses_a_bad_one()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(Path.Combine(dir.Path, RunFiles.Metrics), [Step(1, 0.1)], ct);
        await using LiveReportServer server = await LiveReportServer.StartAsync(dir.Path, "127.0.0.1", 0, ct);
        using var http = new HttpClient();

        JsonObject first = JsonNode.Parse(await http.GetStringAsync(new Uri(server.Url, "api/live?offset=0"), ct))!.AsObject();
        await File.AppendAllLinesAsync(Path.Combine(dir.Path, RunFiles.Metrics), [Step(2, 0.2)], ct);
        JsonObject second = JsonNode.Parse(await http.GetStringAsync(new Uri(server.Url, $"api/live?offset={first["offset"]}"), ct))!.AsObject();
        HttpResponseMessage bad = await http.GetAsync(new Uri(server.Url, "api/live?offset=minus"), ct);

        Assert.Equal([1], first["metrics"]!.AsArray().Select(m => (int)m!["step"]!));
        Assert.Equal([2], second["metrics"]!.AsArray().Select(m => (int)m!["step"]!));
        Assert.Empty(second["groups"]!.AsArray());
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("offset 'minus'", await bad.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
    }

    private static string Step(int step, double reward) => new JsonObject
    {
        ["step"] = step, ["reward_mean"] = reward, ["reward_std"] = 0.2, ["f1"] = reward / 2, ["answer_rate"] = 0.8,
        ["searches"] = 1.5, ["browses"] = 0.5, ["kl"] = 0.001 * step, ["entropy"] = 1.0 - 0.1 * step,
    }.ToJsonString();

    private static string Group(int step, string question, string[] ids, double[] rewards, double[] advantages) => new JsonObject
    {
        ["step"] = step,
        ["question_id"] = question,
        ["trajectory_ids"] = new JsonArray([.. ids.Select(i => (JsonNode)i)]),
        ["rewards"] = new JsonArray([.. rewards.Select(r => (JsonNode)r)]),
        ["advantages"] = new JsonArray([.. advantages.Select(a => (JsonNode)a)]),
    }.ToJsonString();

    private static Trajectory Rollout(string id, string answer) => new()
    {
        Id = id,
        Question = "What is the capital of France?",
        FinalAnswer = answer,
        Termination = TerminationReason.Answered,
        Segments =
        [
            new TrajectorySegment { Kind = SegmentKind.Prompt, Text = "<|im_start|>user\nWhat is the capital of France?<|im_end|>\n<|im_start|>assistant\n" },
            new TrajectorySegment { Kind = SegmentKind.Policy, Text = $"<think>I know it.</think>\n<answer>{answer}</answer>", Turn = 1 },
            new TrajectorySegment { Kind = SegmentKind.Environment, Text = "<|im_end|>", Turn = 1 },
        ],
        Turns = [new TurnRecord { Index = 1, Action = TurnAction.Answer, Answer = answer, Generated = $"<answer>{answer}</answer>" }],
    };
}
