namespace DeepResearcher.Core.Trajectories;

public enum TerminationReason
{
    /// <summary>Still running (only seen in a trajectory that was saved mid-way).</summary>
    None,
    Answered,
    ProtocolError,
    MaxTurns,
    ContextOverflow,
    ToolFailure,
    ModelFailure,
}
