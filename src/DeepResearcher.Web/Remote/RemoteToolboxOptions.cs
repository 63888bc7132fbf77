namespace DeepResearcher.Web.Remote;

public sealed record RemoteToolboxOptions
{
    /// <summary>Tool server base URLs, e.g. <c>http://10.1.2.3:5000</c>. Calls are spread over the healthy ones.</summary>
    public required IReadOnlyList<Uri> Servers { get; init; }

    /// <summary>Attempts per call, each on another server when there is one.</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>A server that failed is skipped for this long.</summary>
    public TimeSpan Cooldown { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>
    /// Put before every trajectory id sent. A server keeps tool state per trajectory id; clients whose ids repeat across
    /// runs (an evaluation names trajectories after questions) give each run its own prefix. Null: ids as they are.
    /// </summary>
    public string? TrajectoryIdPrefix { get; init; }
}
