namespace DeepResearcher.Engine.Sampling;

public enum FinishReason
{
    /// <summary>A stop token id was sampled (it is the last output id).</summary>
    StopToken,

    /// <summary>The decoded output came to contain a stop string.</summary>
    StopString,

    /// <summary>MaxNewTokens were generated.</summary>
    MaxTokens,
}
