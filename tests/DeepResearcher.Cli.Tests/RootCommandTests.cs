namespace DeepResearcher.Cli.Tests;

public class RootCommandTests
{
    [Fact]
    public async Task Help_lists_the_commands()
    {
        CliRun run = await CliRun.InvokeAsync("--help");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("research", run.Output, StringComparison.Ordinal);
        Assert.Contains("eval", run.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("research")]
    [InlineData("eval")]
    [InlineData("eval", "score")]
    public async Task Every_command_has_help(params string[] command)
    {
        CliRun run = await CliRun.InvokeAsync([.. command, "--help"]);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Usage:", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_prints_the_version()
    {
        CliRun run = await CliRun.InvokeAsync("--version");

        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith("0.1.0", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_commands_fail()
    {
        CliRun run = await CliRun.InvokeAsync("fly");

        Assert.NotEqual(0, run.ExitCode);
    }
}
