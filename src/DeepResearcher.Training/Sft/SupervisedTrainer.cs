using DeepResearcher.Training.Policy;
using DeepResearcher.Training.Rollouts;

namespace DeepResearcher.Training.Sft;

/// <summary>
/// Supervised warm start on demonstrations: mean negative log-likelihood over the policy tokens only (mask 1), so the
/// model learns to write turns, not to predict prompts or tool output.
/// </summary>
public sealed class SupervisedTrainer(PolicyUpdate update)
{
    /// <returns>The mean NLL per policy token of the batch, before the update.</returns>
    public double Step(IReadOnlyList<PolicySequence> batch, float learningRate)
    {
        int policyTokens = 0;
        foreach (PolicySequence s in batch)
        {
            policyTokens += s.PolicyTokens;
        }

        if (policyTokens == 0)
        {
            throw new InvalidOperationException("The SFT batch has no policy tokens to learn from.");
        }

        (double loss, _) = update.Step(batch, (micro, logProbs, gradient) =>
        {
            double sum = 0;
            int at = 0;
            foreach (PolicySequence s in micro)
            {
                for (int t = 0; t < s.Length; t++, at++)
                {
                    if (s.Mask[t] == 1)
                    {
                        sum -= logProbs[at];
                        gradient[at] = -1f / policyTokens;
                    }
                }
            }

            return sum / policyTokens;
        }, learningRate);
        return loss;
    }
}
