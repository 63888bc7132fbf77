using System.Text.Json;
using DeepResearcher.Web.Caching;

namespace DeepResearcher.Web.Toolbox;

/// <summary>
/// Per-trajectory tool state in the shared tool cache (SQLite on one machine, PostgreSQL across machines), so any tool
/// server can serve any trajectory's next call: no sticky routing, as the original needed.
/// </summary>
public sealed class CachedToolStateStore(IToolCache cache, TimeSpan? timeToLive = null) : IToolStateStore
{
    private const string Prefix = "state:v1:";

    // A trajectory lasts minutes; a day is generous and lets abandoned state expire.
    private readonly TimeSpan _timeToLive = timeToLive ?? TimeSpan.FromDays(1);

    public async Task<TrajectoryToolState> LoadAsync(string trajectoryId, CancellationToken cancellationToken)
    {
        string? json = await cache.GetAsync(Prefix + trajectoryId, cancellationToken);
        return json is null ? new TrajectoryToolState() : JsonSerializer.Deserialize<TrajectoryToolState>(json) ?? new TrajectoryToolState();
    }

    public Task SaveAsync(string trajectoryId, TrajectoryToolState state, CancellationToken cancellationToken)
        => cache.SetAsync(Prefix + trajectoryId, JsonSerializer.Serialize(state), _timeToLive, cancellationToken);
}
