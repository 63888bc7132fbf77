using DeepResearcher.Cli;

return await DeepResearcherCli.InvokeAsync(args, Console.Out, Console.Error, CancellationToken.None);
