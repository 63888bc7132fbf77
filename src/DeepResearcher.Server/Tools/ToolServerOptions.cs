namespace DeepResearcher.Server.Tools;

public sealed record ToolServerOptions
{
    /// <summary>0 picks a free port.</summary>
    public int Port { get; init; }

    /// <summary>Loopback by default; bind other addresses only on a trusted network.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>Calls in one batch request, at most.</summary>
    public int MaxBatchSize { get; init; } = 1024;

    /// <summary>A call that takes longer answers with a timeout observation instead of holding the connection.</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(90);
}
