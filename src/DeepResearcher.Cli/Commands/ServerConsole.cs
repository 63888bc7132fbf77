namespace DeepResearcher.Cli.Commands;

/// <summary>The end of every <c>… serve</c> command: say where the server is, keep it up until Ctrl+C, say it stopped.</summary>
internal static class ServerConsole
{
    public static async Task<int> RunUntilCancelledAsync(TextWriter output, string where, CancellationToken cancellationToken)
    {
        await output.WriteLineAsync($"{where}; Ctrl+C stops");
        await output.FlushAsync(cancellationToken);
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            await output.WriteLineAsync("stopped");
        }

        return 0;
    }
}
