using System.Text.Json.Nodes;
using DeepResearcher.Testing;

namespace DeepResearcher.Cli.Tests;

public class ResearchCommandTests
{
    [Fact]
    public async Task Prints_the_answer_and_each_turn()
    {
        await using ScriptedOpenAIServer server = await ScriptedOpenAIServer.StartAsync(TestContext.Current.CancellationToken);
        server.EnqueueText(
            "<think>search</think>\n<tool_call>\n{\"name\": \"web_search\", \"arguments\": {\"query\": [\"who wrote Hamlet\"]}}\n</tool_call>",
            "<think>No search backend; I know it.</think>\n<answer>William Shakespeare</answer>");

        CliRun run = await CliRun.InvokeAsync("research", "Who wrote Hamlet?", "--model-url", server.BaseUrl.ToString(), "--model", "m");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("William Shakespeare", run.Output.Trim());
        Assert.Contains("[turn 1] web_search: who wrote Hamlet (failed: web_search: no search backend is configured", run.Error, StringComparison.Ordinal);
        Assert.Contains("[turn 2] answer: William Shakespeare", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_prints_the_trajectory_and_out_appends_it()
    {
        await using ScriptedOpenAIServer server = await ScriptedOpenAIServer.StartAsync(TestContext.Current.CancellationToken);
        server.EnqueueText("<think>easy</think><answer>4</answer>", "<think>easy</think><answer>4</answer>");
        using var dir = new TempDirectory();
        string outFile = Path.Combine(dir.Path, "runs.jsonl");

        CliRun first = await CliRun.InvokeAsync("research", "2+2?", "--model-url", server.BaseUrl.ToString(), "--model", "m", "--json", "--out", outFile);
        CliRun second = await CliRun.InvokeAsync("research", "2+2?", "--model-url", server.BaseUrl.ToString(), "--model", "m", "--out", outFile);

        Assert.Equal(0, first.ExitCode);
        JsonObject trajectory = JsonNode.Parse(first.Output)!.AsObject();
        Assert.Equal("4", trajectory["final_answer"]!.GetValue<string>());
        Assert.Equal("answered", trajectory["termination"]!.GetValue<string>());
        Assert.Equal(0, second.ExitCode);
        Assert.Equal(2, File.ReadAllLines(outFile).Length);
    }

    [Fact]
    public async Task No_answer_exits_1_with_the_reason()
    {
        await using ScriptedOpenAIServer server = await ScriptedOpenAIServer.StartAsync(TestContext.Current.CancellationToken);
        server.Fallback = ScriptedReply.Text("rambling without tags");

        CliRun run = await CliRun.InvokeAsync("research", "q", "--model-url", server.BaseUrl.ToString(), "--model", "m", "--max-turns", "2");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("no answer: max_turns", run.Error.Replace("maxturns", "max_turns", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_template_is_a_usage_error()
    {
        CliRun run = await CliRun.InvokeAsync("research", "q", "--model-url", "http://127.0.0.1:9/v1", "--model", "m", "--template", "mistral");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("Unknown chat template 'mistral'", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ftp://proxy.corp:21", "not a proxy URL")]
    [InlineData("http://proxy.corp:3128/path", "has a path")]
    public async Task A_bad_proxy_is_a_usage_error_naming_it(string proxy, string why)
    {
        CliRun run = await CliRun.InvokeAsync("research", "q", "--model-url", "http://127.0.0.1:9/v1", "--model", "m", "--search", "serper", "--proxy", proxy);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"--proxy '{proxy}'", run.Error, StringComparison.Ordinal);
        Assert.Contains(why, run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_model_reports_a_model_failure()
    {
        CliRun run = await CliRun.InvokeAsync("research", "q", "--model-url", "http://127.0.0.1:9/v1", "--model", "m", "--timeout", "5", "--retries", "0");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("model_failure", run.Error.Replace("modelfailure", "model_failure", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("127.0.0.1:9", run.Error, StringComparison.Ordinal);
    }
}
