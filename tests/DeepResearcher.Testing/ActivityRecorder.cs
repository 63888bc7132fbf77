using System.Collections.Concurrent;
using System.Diagnostics;

namespace DeepResearcher.Testing;

/// <summary>
/// Records the activities of one test: it starts a root activity (current for the rest of the test's flow) and
/// samples only activities of that trace, from the sources named, so tests running in parallel in the same process
/// never see each other's spans, and code outside any test trace stays unsampled.
/// </summary>
public sealed class ActivityRecorder : IDisposable
{
    private static readonly ActivitySource TestSource = new("DeepResearcher.Tests");

    private readonly ActivityListener _listener;
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ActivityTraceId _traceId;

    public ActivityRecorder(params string[] sources)
    {
        // Created before the listener is added: a source first created inside the listener's own callback would be missed.
        ActivitySource test = TestSource;
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source == test || sources.Contains(source.Name),
            Sample = (ref ActivityCreationOptions<ActivityContext> options) =>
                options.Source == test || (_traceId != default && options.Parent.TraceId == _traceId)
                    ? ActivitySamplingResult.AllDataAndRecorded
                    : ActivitySamplingResult.None,
            ActivityStopped = activity =>
            {
                if (activity.TraceId == _traceId && activity.Source != test)
                {
                    _stopped.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
        Root = test.StartActivity("test") ?? throw new InvalidOperationException("the test root activity was not sampled");
        _traceId = Root.TraceId;
    }

    public Activity Root { get; }

    /// <summary>The activities of this test's trace that have stopped, in the order they stopped.</summary>
    public IReadOnlyList<Activity> Stopped => [.. _stopped];

    public IReadOnlyList<Activity> Named(string name) => [.. _stopped.Where(a => a.OperationName == name)];

    public void Dispose()
    {
        Root.Stop();
        _listener.Dispose();
    }
}
