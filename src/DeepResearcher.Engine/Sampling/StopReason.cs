namespace DeepResearcher.Engine.Sampling;

/// <summary>
/// Why the decoder stopped, finer than the agent's <c>Core.Agent.FinishReason</c> (stop or length, as an OpenAI
/// endpoint reports it): the engine policy maps both stop kinds to a stop.
/// </summary>
public enum StopReason
{
    /// <summary>A stop token id was sampled (it is the last output id).</summary>
    StopToken,

    /// <summary>The decoded output came to contain a stop string.</summary>
    StopString,

    /// <summary>MaxNewTokens were generated.</summary>
    MaxTokens,
}
