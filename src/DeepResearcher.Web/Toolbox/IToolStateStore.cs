namespace DeepResearcher.Web.Toolbox;

/// <summary>Where per-trajectory tool state lives. A shared store makes tool servers stateless (no sticky routing).</summary>
public interface IToolStateStore
{
    Task<TrajectoryToolState> LoadAsync(string trajectoryId, CancellationToken cancellationToken);

    Task SaveAsync(string trajectoryId, TrajectoryToolState state, CancellationToken cancellationToken);
}
