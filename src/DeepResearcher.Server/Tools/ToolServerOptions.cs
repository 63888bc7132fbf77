using System.Diagnostics.Metrics;

namespace DeepResearcher.Server.Tools;

public sealed record ToolServerOptions
{
    /// <summary>Also serve the tools over the Model Context Protocol (streamable HTTP) at <see cref="ToolServer.McpPath"/>.</summary>
    public bool ServeMcp { get; init; }

    /// <summary>Meters <c>/metrics</c> exports besides the server's own (the composed toolbox's cache and provider counters).</summary>
    public IReadOnlyList<Meter> Meters { get; init; } = [];

    /// <summary>0 picks a free port.</summary>
    public int Port { get; init; }

    /// <summary>Loopback by default; bind other addresses only on a trusted network.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>Calls in one batch request, at most.</summary>
    public int MaxBatchSize { get; init; } = 1024;

    /// <summary>A call that takes longer answers with a timeout observation instead of holding the connection.</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>Queries in one web_search call, at most (the original sends at most 3); more is a 400, not a silent cut.</summary>
    public int MaxQueriesPerCall { get; init; } = 3;

    /// <summary>Characters in one query, at most.</summary>
    public int MaxQueryChars { get; init; } = 1000;

    /// <summary>URLs in one browse_webpage call, at most.</summary>
    public int MaxUrlsPerCall { get; init; } = 10;

    /// <summary>Characters in one URL, at most.</summary>
    public int MaxUrlChars { get; init; } = 2048;

    /// <summary>Characters of the call's <c>question</c>, at most.</summary>
    public int MaxQuestionChars { get; init; } = 4000;

    /// <summary>Bytes of a request body, at most (a 413 beyond).</summary>
    public long MaxBodyBytes { get; init; } = 1024 * 1024;

    /// <summary>Calls of one trajectory in flight at once, at most (a 429 beyond); an agent makes one at a time.</summary>
    public int MaxConcurrentCallsPerTrajectory { get; init; } = 4;
}
