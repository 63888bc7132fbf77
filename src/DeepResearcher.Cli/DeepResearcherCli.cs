using System.CommandLine;
using System.CommandLine.Invocation;
using DeepResearcher.Cli.Commands;

namespace DeepResearcher.Cli;

/// <summary>The <c>deepresearcher</c> command tree. Commands are thin: they parse options and call the libraries.</summary>
public static class DeepResearcherCli
{
    public static RootCommand Build()
    {
        var root = new RootCommand("DeepResearcher.NET: train, run and evaluate deep-research agents.");
        root.Subcommands.Add(ResearchCommand.Create());
        root.Subcommands.Add(EvalCommand.Create());
        root.Subcommands.Add(WorldCommand.Create());
        root.Subcommands.Add(ToolsCommand.Create());
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(DataCommand.Create());
        root.Subcommands.Add(ModelCommand.Create());
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(ReportCommand.Create());
        CommandHelp.ApplyTo(root);
        return root;
    }

    /// <summary>Runs the CLI with the given streams, so tests can run it in-process.</summary>
    public static async Task<int> InvokeAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ParseResult parse = Build().Parse(args);
        if (parse.Action is ParseErrorAction)
        {
            return await ParseErrors.WriteAsync(parse, error);
        }

        var configuration = new InvocationConfiguration { Output = output, Error = error };
        return await parse.InvokeAsync(configuration, cancellationToken);
    }
}
