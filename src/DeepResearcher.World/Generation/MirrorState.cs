namespace DeepResearcher.World.Generation;

/// <summary>Whether an entity has a near-duplicate page under /mirror/, and how that page answers.</summary>
public enum MirrorState
{
    None,
    Ok,
    Gone,
    ServerError,
}
