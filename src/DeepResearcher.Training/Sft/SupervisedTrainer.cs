using DeepResearcher.Training.Backends;
using DeepResearcher.Training.Rollouts;

namespace DeepResearcher.Training.Sft;

/// <summary>
/// Supervised warm start on demonstrations: mean negative log-likelihood over the policy tokens only (mask 1), so the
/// model learns to write turns, not to predict prompts or tool output. The loss is the backend's named cross-entropy.
/// </summary>
/// <param name="adam">The optimizer settings of every step; the learning rate is replaced by each step's.</param>
public sealed class SupervisedTrainer(IPolicyBackend policy, AdamParams adam)
{
    /// <returns>The mean NLL per policy token of the batch, before the update.</returns>
    public async Task<double> StepAsync(IReadOnlyList<PolicySequence> batch, float learningRate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        int policyTokens = 0;
        foreach (PolicySequence s in batch)
        {
            policyTokens += s.PolicyTokens;
        }

        if (policyTokens == 0)
        {
            throw new InvalidOperationException("The SFT batch has no policy tokens to learn from.");
        }

        List<TokenDatum> data = [.. batch.Select(s => new TokenDatum(s.Inputs, s.Targets, s.Mask))];
        ForwardBackwardResult result = await policy.ForwardBackwardAsync(data, LossFunction.CrossEntropy, null, cancellationToken);
        await policy.OptimStepAsync(adam with { LearningRate = learningRate }, cancellationToken);
        return result.Loss;
    }
}
