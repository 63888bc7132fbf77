namespace DeepResearcher.Core.Trajectories;

public enum CacheStatus
{
    /// <summary>No cache involved.</summary>
    None,
    Miss,
    Hit,

    /// <summary>Some of the call's queries or pages came from the cache.</summary>
    Partial,
}
