using System.Text;
using System.Text.Json.Nodes;
using DeepResearcher.Testing;

namespace DeepResearcher.Cli.Tests;

/// <summary><c>--otlp-endpoint</c>: spans reach a real OTLP/HTTP receiver; a collector that is down costs the run nothing.</summary>
public class OtlpExportTests
{
    private const string SearchTurn = "<think>search</think>\n<tool_call>\n{\"name\": \"web_search\", \"arguments\": {\"query\": [\"who wrote Hamlet\"]}}\n</tool_call>";
    private const string AnswerTurn = "<think>I know it.</think>\n<answer>William Shakespeare</answer>";

    [Fact]
    public async Task Research_exports_its_spans_as_otlp_protobuf_with_the_service_name_and_trajectory_id()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using OtlpReceiver receiver = await OtlpReceiver.StartAsync(ct);
        await using ScriptedOpenAIServer model = await ScriptedOpenAIServer.StartAsync(ct);
        model.EnqueueText(SearchTurn, AnswerTurn);

        CliRun run = await CliRun.InvokeAsync("research", "Who wrote Hamlet?", "--model-url", model.BaseUrl.ToString(), "--model", "m", "--json", "--otlp-endpoint", receiver.BaseUrl.ToString());

        Assert.Equal(0, run.ExitCode);
        JsonObject trajectory = JsonNode.Parse(run.Output)!.AsObject();
        string trajectoryId = trajectory["id"]!.GetValue<string>();
        string traceId = trajectory["tags"]!["trace_id"]!.GetValue<string>();
        Assert.Equal(32, traceId.Length);
        (_, string? contentType, byte[] body) = Assert.Single(receiver.Requests, r => r.Path == "/v1/traces" && Contains(r.Body, trajectoryId));
        Assert.Equal("application/x-protobuf", contentType);
        Assert.NotEmpty(body);
        Assert.True(Contains(body, "deepresearcher-research"), "the resource's service.name is in the export");
        foreach (string span in new[] { "research", "research.turn", "research.generate", "research.tool_call" })
        {
            Assert.True(Contains(body, span), $"span {span} is in the export");
        }

        // Trace ids travel as 16 raw bytes in OTLP's protobuf.
        Assert.True(body.AsSpan().IndexOf(Convert.FromHexString(traceId)) >= 0, "the trajectory's trace id is the exported spans' trace id");
    }

    [Fact]
    public async Task A_collector_that_is_down_does_not_fail_or_block_the_run()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using ScriptedOpenAIServer model = await ScriptedOpenAIServer.StartAsync(ct);
        model.EnqueueText(SearchTurn, AnswerTurn);
        int nobody = FreeLoopbackPort.Next();

        CliRun run = await CliRun.InvokeAsync("research", "Who wrote Hamlet?", "--model-url", model.BaseUrl.ToString(), "--model", "m", "--otlp-endpoint", $"http://127.0.0.1:{nobody}");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("William Shakespeare", run.Output.Trim());
    }

    [Fact]
    public async Task An_endpoint_that_is_not_a_url_is_a_usage_error_naming_the_option()
    {
        CliRun run = await CliRun.InvokeAsync("research", "q", "--model-url", "http://127.0.0.1:9/v1", "--model", "m", "--otlp-endpoint", "collector:4318");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--otlp-endpoint 'collector:4318' is not an absolute http(s) URL", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", null)]
    [InlineData("--serve-report", 8050)]
    [InlineData("--serve-report 0", 0)]
    [InlineData("--serve-report 9123 --steps 2", 9123)]
    public void Train_serve_report_takes_an_optional_port(string args, int? port)
    {
        System.CommandLine.ParseResult parse = DeepResearcherCli.Build().Parse("train --out runs/x " + args);

        Assert.Empty(parse.Errors);
        Assert.Equal(port, parse.GetValue<int?>("--serve-report"));
    }

    [Fact]
    public async Task Train_serve_report_refuses_a_value_that_is_not_a_port()
    {
        CliRun run = await CliRun.InvokeAsync("train", "--serve-report", "70000");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--serve-report '70000' is not a port", run.Error, StringComparison.Ordinal);
    }

    private static bool Contains(byte[] body, string text) => body.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;
}
