using System.Collections.Concurrent;
using System.Text.Json;

namespace DeepResearcher.Web.Toolbox;

/// <summary>
/// Tool state in process memory, stored as JSON (as a shared store would) so that state that does not round-trip
/// fails here first. Old trajectories are evicted beyond <paramref name="capacity"/>.
/// </summary>
public sealed class InMemoryToolStateStore(int capacity = 100_000) : IToolStateStore
{
    private readonly ConcurrentDictionary<string, (string Json, long Touched)> _states = new(StringComparer.Ordinal);
    private long _clock;

    public int Count => _states.Count;

    public Task<TrajectoryToolState> LoadAsync(string trajectoryId, CancellationToken cancellationToken)
    {
        TrajectoryToolState state = _states.TryGetValue(trajectoryId, out var entry)
            ? JsonSerializer.Deserialize<TrajectoryToolState>(entry.Json)!
            : new TrajectoryToolState();
        return Task.FromResult(state);
    }

    public Task SaveAsync(string trajectoryId, TrajectoryToolState state, CancellationToken cancellationToken)
    {
        _states[trajectoryId] = (JsonSerializer.Serialize(state), Interlocked.Increment(ref _clock));
        if (_states.Count > capacity)
        {
            foreach (var stale in _states.OrderBy(kv => kv.Value.Touched).Take(_states.Count - capacity).ToList())
            {
                _states.TryRemove(stale.Key, out _);
            }
        }

        return Task.CompletedTask;
    }
}
