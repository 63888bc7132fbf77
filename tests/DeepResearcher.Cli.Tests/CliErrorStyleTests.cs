using System.Net;
using System.Net.Sockets;
using DeepResearcher.Testing;
using DeepResearcher.World.Building;
using DeepResearcher.World.Generation;

namespace DeepResearcher.Cli.Tests;

/// <summary>Ordinary mistakes end in one clear line and exit code 2 (issue 22, items 2, 3, 6 and 8).</summary>
public sealed class CliErrorStyleTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();

    private string World => Path.Combine(_dir.Path, "world");

    public async ValueTask InitializeAsync()
        => await WorldBuilder.BuildAsync(new WorldBuildOptions { OutDir = World, Seed = 5, Size = WorldSize.Tiny }, null, TestContext.Current.CancellationToken);

    public ValueTask DisposeAsync()
    {
        _dir.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Building_into_an_existing_world_names_the_overwrite_option()
    {
        CliRun run = await CliRun.InvokeAsync("world", "build", "--out", World, "--size", "tiny");

        CliRunAssert.OneLineError(run, $"error: world directory '{World}' already exists; add --overwrite to replace it");
    }

    [Fact]
    public async Task Serving_on_a_busy_port_names_the_port_option()
    {
        using var busy = new TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        int port = ((IPEndPoint)busy.LocalEndpoint).Port;

        CliRun run = await CliRun.InvokeAsync("world", "serve", World, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));

        CliRunAssert.OneLineError(run, $"error: port {port} on 127.0.0.1 is already in use; choose another with --port N, or --port 0");
        Assert.Single(run.Error.TrimEnd().Split('\n'));
    }

    [Fact]
    public async Task A_parse_error_comes_first_with_one_line_of_help_and_exit_code_2()
    {
        CliRun run = await CliRun.InvokeAsync("eval", "run", "--data", "d.jsonl", "--out", "o", "--bogus");

        CliRunAssert.OneLineError(run, "error: Unrecognized command or argument '--bogus'.");
        string[] lines = run.Error.TrimEnd().Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.Equal("run 'deepresearcher eval run --help' for usage", lines[1].TrimEnd('\r'));
        Assert.Empty(run.Output);
    }

    [Fact]
    public async Task A_misspelt_option_gets_a_suggestion_on_its_line()
    {
        CliRun run = await CliRun.InvokeAsync("eval", "run", "--data", "d.jsonl", "--out", "o", "--max-turn", "3");

        CliRunAssert.OneLineError(run, "error: Unrecognized command or argument '--max-turn'. Did you mean --max-turns?");
    }

    [Theory]
    [InlineData("--max-turns", "abc", "error: Cannot parse argument 'abc' for option '--max-turns' as a whole number.")]
    [InlineData("--top-p", "high", "error: Cannot parse argument 'high' for option '--top-p' as a number.")]
    [InlineData("--observation-format", "xml", "error: Cannot parse argument 'xml' for option '--observation-format' as one of Paper, Json.")]
    public async Task Values_of_the_wrong_type_are_described_in_words(string option, string value, string expected)
    {
        CliRun run = await CliRun.InvokeAsync("research", "q", "--model-url", "http://127.0.0.1:9/v1", "--model", "m", option, value);

        CliRunAssert.OneLineError(run, expected);
    }

    [Fact]
    public async Task A_nullable_option_of_the_wrong_type_names_no_dotnet_type()
    {
        CliRun run = await CliRun.InvokeAsync("train", "--seed", "-1", "--print-config");

        CliRunAssert.OneLineError(run, "error: Cannot parse argument '-1' for option '--seed' as a whole number ≥ 0.");
    }

    [Fact]
    public async Task An_unknown_world_size_has_no_parameter_name_in_its_message()
    {
        CliRun run = await CliRun.InvokeAsync("world", "build", "--out", Path.Combine(_dir.Path, "w2"), "--size", "huge");

        CliRunAssert.OneLineError(run, "error: --size 'huge': Unknown world size 'huge'. Use one of: tiny, small, default, large.");
    }

    [Theory]
    [InlineData("actor:\n  lr: -1\n", "error: invalid training config: actor.lr must be > 0 (got -1)")]
    [InlineData("sft:\n  batch_size: 0\n", "error: invalid training config: sft.batch_size must be > 0 (got 0)")]
    [InlineData("sft:\n  demo_hasty_rate: 1.5\n", "error: invalid training config: sft.demo_hasty_rate must be in [0, 1] (got 1.5)")]
    [InlineData("world:\n  size: huge\n", "error: invalid training config: world.size must be one of tiny, small, default, large (got 'huge')")]
    public async Task Print_config_refuses_values_out_of_range(string yaml, string expected)
    {
        string config = _dir.Write("bad.yaml", yaml);

        CliRun run = await CliRun.InvokeAsync("train", "--config", config, "--print-config");

        CliRunAssert.OneLineError(run, expected);
        Assert.Empty(run.Output);
    }

    [Fact]
    public async Task Command_line_overrides_are_range_checked_too()
    {
        CliRun run = await CliRun.InvokeAsync("train", "--steps", "0", "--print-config");

        CliRunAssert.OneLineError(run, "error: invalid training config: trainer.total_steps must be > 0 (got 0)");
    }

    [Fact]
    public async Task A_misspelt_mix_source_is_an_error_listing_the_known_ones()
    {
        string data = _dir.Write("mix.jsonl", string.Join('\n',
            "{\"id\": \"a\", \"source\": \"nq\", \"question\": \"q1\", \"answers\": [\"x\"]}",
            "{\"id\": \"b\", \"source\": \"hotpotqa\", \"question\": \"q2\", \"answers\": [\"y\"]}") + "\n");
        string output = Path.Combine(_dir.Path, "mixed.jsonl");

        CliRun run = await CliRun.InvokeAsync("data", "filter", "--data", data, "--out", output, "--no-quality", "--no-contamination", "--mix", "nq=1,hotpot=3", "--mix-total", "2");

        CliRunAssert.OneLineError(run, "error: --mix names a source the data does not have: hotpot; its sources are hotpotqa, nq");
        Assert.False(File.Exists(output));
    }

    [Fact]
    public async Task Research_without_a_search_backend_warns_first_and_names_the_options()
    {
        await using ScriptedOpenAIServer server = await ScriptedOpenAIServer.StartAsync(TestContext.Current.CancellationToken);
        server.Fallback = ScriptedReply.Text("<think>I know it.</think>\n<answer>Shakespeare</answer>");

        CliRun run = await CliRun.InvokeAsync("research", "Who wrote Hamlet?", "--model-url", server.BaseUrl.ToString(), "--model", "m");

        Assert.Equal(0, run.ExitCode);
        string firstLine = run.Error.Split('\n')[0];
        Assert.StartsWith("warning: no search backend", firstLine, StringComparison.Ordinal);
        Assert.Contains("--search auto", firstLine, StringComparison.Ordinal);
        Assert.Contains("--world DIR", firstLine, StringComparison.Ordinal);
        CliRunAssert.NoStackTrace(run);
    }

    [Fact]
    public async Task Eval_run_without_a_search_backend_warns_first()
    {
        await using ScriptedOpenAIServer server = await ScriptedOpenAIServer.StartAsync(TestContext.Current.CancellationToken);
        server.Fallback = ScriptedReply.Text("<think>I know it.</think>\n<answer>x</answer>");
        string data = _dir.Write("one.jsonl", "{\"id\": \"a\", \"source\": \"nq\", \"question\": \"q\", \"answers\": [\"x\"]}\n");

        CliRun run = await CliRun.InvokeAsync("eval", "run", "--data", data, "--out", Path.Combine(_dir.Path, "run-none"), "--model-url", server.BaseUrl.ToString(), "--model", "m");
        CliRun withWorld = await CliRun.InvokeAsync("eval", "run", "--data", data, "--out", Path.Combine(_dir.Path, "run-world"), "--model-url", server.BaseUrl.ToString(), "--model", "m", "--world", World);

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.StartsWith("warning: no search backend", run.Error, StringComparison.Ordinal);
        Assert.Contains("--search auto", run.Error.Split('\n')[0], StringComparison.Ordinal);
        Assert.True(withWorld.ExitCode == 0, withWorld.Error);
        Assert.DoesNotContain("warning: no search backend", withWorld.Error, StringComparison.Ordinal);
    }
}
