namespace DeepResearcher.Cli.Tests;

/// <summary>The CLI's one error style: exit code 2, the error on the first line of stderr, no stack trace or help dump.</summary>
internal static class CliRunAssert
{
    public static void OneLineError(CliRun run, string firstLineStart)
    {
        Assert.True(run.ExitCode == 2, $"exit code {run.ExitCode}; stderr:\n{run.Error}");
        string firstLine = run.Error.Split('\n')[0].TrimEnd('\r');
        Assert.StartsWith(firstLineStart, firstLine, StringComparison.Ordinal);
        NoStackTrace(run);
        Assert.DoesNotContain("Usage:", run.Output + run.Error, StringComparison.Ordinal);
    }

    public static void NoStackTrace(CliRun run)
    {
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter '", run.Error, StringComparison.Ordinal);
    }
}
