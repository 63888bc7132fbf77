using System.CommandLine;
using System.Text.RegularExpressions;
using DeepResearcher.Cli.Commands;

namespace DeepResearcher.Cli.Tests;

/// <summary>Every command's help has an example and says what each value is; shared options read the same everywhere (issue 22, item 7).</summary>
public sealed partial class CommandHelpTests
{
    public static TheoryData<string> Commands()
    {
        var data = new TheoryData<string>();
        foreach (Command command in CommandHelp.All(DeepResearcherCli.Build()))
        {
            data.Add(CommandHelp.PathOf(command));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task Every_help_has_an_example_and_no_placeholder_that_repeats_the_name(string path)
    {
        string[] args = [.. path.Split(' ', StringSplitOptions.RemoveEmptyEntries), "--help"];

        CliRun run = await CliRun.InvokeAsync(args);

        Assert.Equal(0, run.ExitCode);
        Assert.Matches(@"\nExamples?:\n  deepresearcher ", run.Output.ReplaceLineEndings("\n"));
        string options = run.Output[run.Output.IndexOf("Options:", StringComparison.Ordinal)..];
        Assert.DoesNotMatch(LowerCasePlaceholder(), options);
    }

    [Fact]
    public void Options_of_one_name_in_research_eval_run_and_tools_serve_have_one_description()
    {
        RootCommand root = DeepResearcherCli.Build();
        Command[] commands =
        [
            root.Subcommands.Single(c => c.Name == "research"),
            root.Subcommands.Single(c => c.Name == "eval").Subcommands.Single(c => c.Name == "run"),
            root.Subcommands.Single(c => c.Name == "tools").Subcommands.Single(c => c.Name == "serve"),
        ];
        // Same names, different things: research appends a trajectory to a file, eval run writes a run directory; their
        // sampling defaults differ (one answer vs. greedy evaluation).
        string[] meantDifferently = ["--out", "--temperature", "--seed", "--help"];

        var byName = commands.SelectMany(c => c.Options).Where(o => !meantDifferently.Contains(o.Name)).GroupBy(o => o.Name);

        foreach (IGrouping<string, Option> same in byName.Where(g => g.Count() > 1))
        {
            Assert.Single(same.Select(o => o.Description).Distinct());
            Assert.Single(same.Select(o => o.HelpName).Distinct());
        }

        Assert.Contains(byName, g => g.Key == "--world" && g.Count() == 3);
        Assert.Contains(byName, g => g.Key == "--model-url" && g.Count() == 2);
    }

    [Fact]
    public void Model_endpoint_and_proxy_options_read_the_same_in_every_command()
    {
        // train's --model is a checkpoint directory, not an endpoint's model name: same word, another type. serve model's
        // and serve training's --api-key-env name the key the server requires of its clients, not the key a client sends: same word, other side.
        string[] shared =
        [
            "--model-url", "--model", "--api-key-env", "--timeout", "--retries", "--prefill", "--checkpoint", "--top-p", "--max-turns", "--max-context",
            "--judge-url", "--judge-model", "--judge-api-key-env", "--judge-timeout", "--judge-retries",
            "--reader-model-url", "--reader-model", "--reader-api-key-env", "--proxy", "--tools-url", "--tool-profile",
        ];
        Command[] commands = [.. CommandHelp.All(DeepResearcherCli.Build())];

        var byName = commands.SelectMany(c => c.Options.Select(o => (Command: CommandHelp.PathOf(c), Option: o)))
            .Where(p => shared.Contains(p.Option.Name) && (p.Option.ValueType != typeof(DirectoryInfo) || p.Option.Name == "--checkpoint"))
            .Where(p => !(p.Command is "serve model" or "serve training" && p.Option.Name == "--api-key-env"))
            .GroupBy(p => p.Option.Name);

        foreach (var same in byName)
        {
            Assert.True(same.Select(p => p.Option.Description).Distinct().Count() == 1, $"{same.Key} reads differently in: {string.Join(", ", same.Select(p => p.Command))}");
        }

        Assert.Contains(byName, g => g.Key == "--model-url" && g.Select(p => p.Command).Order().SequenceEqual(["data filter", "eval run", "research"]));
        Assert.Contains(byName, g => g.Key == "--judge-url" && g.Count() == 2);
        Assert.Contains(byName, g => g.Key == "--proxy" && g.Count() == 3);
    }

    [GeneratedRegex(@"--[a-z-]+ <[a-z][a-z-]*>")]
    private static partial Regex LowerCasePlaceholder();
}
