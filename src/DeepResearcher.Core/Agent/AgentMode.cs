namespace DeepResearcher.Core.Agent;

/// <summary>What a protocol error does to the trajectory.</summary>
public enum ProtocolErrorPolicy
{
    /// <summary>End the trajectory (the original's behaviour, and the default in training: the reward is −1).</summary>
    Terminate,

    /// <summary>Return the error to the model as its observation and let it try again (inference).</summary>
    FeedBack,
}
