using System.Diagnostics.CodeAnalysis;

namespace DeepResearcher.Server.Tools;

/// <summary>
/// Counts the calls of each trajectory in flight. An agent makes one call at a time, so many at once for one trajectory
/// are a runaway client; refusing them keeps one trajectory from taking the server's sockets and threads.
/// </summary>
internal sealed class TrajectoryCallGate(int maxPerTrajectory)
{
    private readonly Dictionary<string, int> _inFlight = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Admits all the calls (one per item, repeats counted) or none, with the reason.</summary>
    public bool TryEnter(IReadOnlyList<string> trajectories, [NotNullWhen(false)] out string? refusal)
    {
        lock (_lock)
        {
            foreach (IGrouping<string, string> group in trajectories.GroupBy(t => t, StringComparer.Ordinal))
            {
                int now = _inFlight.GetValueOrDefault(group.Key);
                if (now + group.Count() > maxPerTrajectory)
                {
                    refusal = $"trajectory '{group.Key}' would have {now + group.Count()} calls in flight; at most {maxPerTrajectory} at once "
                        + "(--max-calls-per-trajectory): wait for its earlier calls to answer";
                    return false;
                }
            }

            foreach (string trajectory in trajectories)
            {
                _inFlight[trajectory] = _inFlight.GetValueOrDefault(trajectory) + 1;
            }

            refusal = null;
            return true;
        }
    }

    public void Exit(IReadOnlyList<string> trajectories)
    {
        lock (_lock)
        {
            foreach (string trajectory in trajectories)
            {
                int left = _inFlight[trajectory] - 1;
                if (left == 0)
                {
                    _inFlight.Remove(trajectory);
                }
                else
                {
                    _inFlight[trajectory] = left;
                }
            }
        }
    }
}
