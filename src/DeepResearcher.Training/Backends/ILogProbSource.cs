namespace DeepResearcher.Training.Backends;

/// <summary>
/// Scores token data under a policy's current weights without changing them (Tinker's <c>compute_logprobs</c>): the
/// old-policy log-probs GRPO may recompute, and the frozen reference's log-probs for the KL term.
/// </summary>
public interface ILogProbSource
{
    /// <summary>log π(target) of every position of each datum, in the order given.</summary>
    Task<IReadOnlyList<float[]>> ComputeLogProbsAsync(IReadOnlyList<TokenDatum> data, CancellationToken cancellationToken);
}
