using System.Diagnostics;
using DeepResearcher.Core.Agent;
using DeepResearcher.Core.Observability;
using DeepResearcher.Core.Protocol;
using DeepResearcher.Server.Observability;
using Microsoft.Extensions.Logging;

namespace DeepResearcher.Server.Tools;

/// <summary>
/// What every call of the tool server goes through, whichever door it came in (REST or MCP): the per-call caps, the
/// per-trajectory gate, the deadline, the soft failure, the metrics and the log line of a failed call.
/// </summary>
internal sealed class ToolCallRunner(IToolbox toolbox, ToolServerMetrics metrics, ToolServerOptions options, ILogger logger)
{
    /// <summary>Longest error text written to the log; a call's error can quote its (capped, but still long) queries.</summary>
    private const int MaxLoggedErrorChars = 600;

    private readonly TrajectoryCallGate _gate = new(options.MaxConcurrentCallsPerTrajectory);

    public ToolServerOptions Options => options;

    /// <summary>Why the call exceeds a cap (naming the cap and its option), or null when it fits.</summary>
    public string? Refusal(ToolCall call, ToolContext context) => ToolCallCaps.Check(call, context, options);

    /// <inheritdoc cref="TrajectoryCallGate.TryEnter"/>
    public bool TryEnter(IReadOnlyList<string> trajectories, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? refusal)
        => _gate.TryEnter(trajectories, out refusal);

    public void Exit(IReadOnlyList<string> trajectories) => _gate.Exit(trajectories);

    /// <summary>Runs an admitted call: a timeout or a toolbox exception becomes a failed result, never an exception.</summary>
    public async Task<(ToolResult Result, double LatencyMs)> ExecuteAsync(ToolCall call, ToolContext context, CancellationToken aborted)
    {
        var clock = Stopwatch.StartNew();
        using Activity? span = ServerTracing.Source.StartActivity(ActivityKind.Internal, tags:
            [new(ResearchTracing.TrajectoryIdTag, context.TrajectoryId), new(ResearchTracing.ToolTag, call.Name)], name: "tool_server.call");
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        deadline.CancelAfter(options.CallTimeout);
        ToolResult result;
        try
        {
            result = await toolbox.ExecuteAsync(call, context, deadline.Token);
        }
        catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
        {
            result = ToolResult.Failure($"{call.Name} timed out after {options.CallTimeout.TotalSeconds:0} s on the tool server");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            result = ToolResult.Failure($"{call.Name} failed on the tool server: {ex.GetType().Name}: {ex.Message}");
        }

        metrics.Record(call.Name, result.Error is null, result.Cache, clock.Elapsed.TotalSeconds);
        span?.SetTag(ResearchTracing.CacheTag, result.Cache.ToString().ToLowerInvariant());
        if (result.Error is not null)
        {
            span?.SetStatus(ActivityStatusCode.Error, result.Error);
            // Once per failed call, with its cause; successes are counted in /metrics, not logged one by one.
            logger.LogWarning("{Tool} failed for trajectory {Trajectory} after {Ms:F0} ms: {Error}", call.Name, context.TrajectoryId, clock.Elapsed.TotalMilliseconds, RequestFailures.Clip(result.Error, MaxLoggedErrorChars));
        }

        return (result, clock.Elapsed.TotalMilliseconds);
    }

    /// <summary>True for the names of the two tools the server serves.</summary>
    public static bool Serves(string name) => name is ResearchTools.WebSearchName or ResearchTools.BrowseWebpageName;
}
