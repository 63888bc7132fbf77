namespace DeepResearcher.Cli.Commands;

/// <summary>Options that parse but do not make sense together; the message says how to fix them.</summary>
internal sealed class UsageException(string message) : Exception(message);
