namespace DeepResearcher.Training.Grpo;

/// <summary>
/// The GRPO objective per policy token t (mask 1), with ratio ρ = exp(logπ − logπ_old):
/// <code>
/// ℓ_t = max(−A ρ, −A clip(ρ, 1 − ε_low, 1 + ε_high)) + β k3_t,   k3_t = e^{logπ_ref − logπ} − (logπ_ref − logπ) − 1
/// </code>
/// aggregated over the mini-batch (token mean, or Dr.GRPO's constant). It returns the loss and writes
/// dL/dlogπ_t for the engine's backward pass: the gradient of the clipped term is −A ρ where the unclipped branch is
/// active and 0 where the clip holds; the k3 term contributes β (1 − e^{logπ_ref − logπ}). With an entropy
/// coefficient c the loss also has −c·H_t per token (aggregated the same way), whose gradient dL/dH_t goes to the
/// engine's entropy backward.
/// </summary>
public static class GrpoLoss
{
    // verl clamps the log-ratio and k3 itself, so a token the policy has moved far from the reference cannot blow up the loss.
    private const double LogRatioClamp = 20;
    private const double KlClamp = 10;

    /// <param name="logProbs">log π(token) under the current policy, one per token of the mini-batch.</param>
    /// <param name="oldLogProbs">log π_old(token) under the policy that sampled it.</param>
    /// <param name="refLogProbs">log π_ref(token) under the frozen reference; ignored when the KL coefficient is 0.</param>
    /// <param name="advantages">The advantage of each token's rollout, broadcast to its tokens.</param>
    /// <param name="mask">1 on policy tokens, 0 elsewhere.</param>
    /// <param name="sequences">Rollouts in the mini-batch (for the constant normaliser).</param>
    /// <param name="gradient">Receives dL/dlogπ per token (0 where the mask is 0).</param>
    public static GrpoLossResult Compute(
        ReadOnlySpan<float> logProbs,
        ReadOnlySpan<float> oldLogProbs,
        ReadOnlySpan<float> refLogProbs,
        ReadOnlySpan<float> advantages,
        ReadOnlySpan<byte> mask,
        int sequences,
        GrpoLossOptions options,
        Span<float> gradient)
        => Compute(logProbs, oldLogProbs, refLogProbs, advantages, mask, sequences, options, gradient, [], []);

    /// <param name="entropy">Per-token entropy of the policy (read when the entropy coefficient is not 0).</param>
    /// <param name="entropyGradient">Receives dL/dH per token when the entropy coefficient is not 0.</param>
    public static GrpoLossResult Compute(
        ReadOnlySpan<float> logProbs,
        ReadOnlySpan<float> oldLogProbs,
        ReadOnlySpan<float> refLogProbs,
        ReadOnlySpan<float> advantages,
        ReadOnlySpan<byte> mask,
        int sequences,
        GrpoLossOptions options,
        Span<float> gradient,
        ReadOnlySpan<float> entropy,
        Span<float> entropyGradient)
    {
        int n = logProbs.Length;
        if (oldLogProbs.Length != n || advantages.Length != n || mask.Length != n || gradient.Length != n
            || (options.KlCoefficient != 0 && refLogProbs.Length != n))
        {
            throw new ArgumentException($"GRPO loss inputs must all have {n} tokens (old {oldLogProbs.Length}, ref {refLogProbs.Length}, advantages {advantages.Length}, mask {mask.Length}, gradient {gradient.Length}).");
        }

        double c = options.EntropyCoefficient;
        bool hasEntropy = entropy.Length == n && n > 0;
        if ((c != 0 && !hasEntropy) || (hasEntropy && entropyGradient.Length != n))
        {
            throw new ArgumentException($"an entropy coefficient needs the entropy and its gradient for all {n} tokens (got {entropy.Length} and {entropyGradient.Length}).");
        }

        int tokens = 0;
        for (int t = 0; t < n; t++)
        {
            tokens += mask[t];
        }

        gradient.Clear();
        entropyGradient.Clear();
        if (tokens == 0)
        {
            return new GrpoLossResult(0, 0, 0, 0, 0);
        }

        double normalizer = options.Aggregation == LossAggregation.TokenMean
            ? tokens
            : Math.Max(1, sequences) * (double)options.MaxResponseTokens;
        double policySum = 0;
        double klSum = 0;
        double entropySum = 0;
        int clipped = 0;
        double beta = options.KlCoefficient;
        for (int t = 0; t < n; t++)
        {
            if (mask[t] == 0)
            {
                continue;
            }

            double a = advantages[t];
            double ratio = Math.Exp(Math.Clamp(logProbs[t] - oldLogProbs[t], -LogRatioClamp, LogRatioClamp));
            double clippedRatio = Math.Clamp(ratio, 1 - options.ClipLow, 1 + options.ClipHigh);
            double unclippedLoss = -a * ratio;
            double clippedLoss = -a * clippedRatio;
            double grad;
            if (unclippedLoss >= clippedLoss)
            {
                policySum += unclippedLoss;
                grad = -a * ratio;
            }
            else
            {
                policySum += clippedLoss;
                grad = 0;
            }

            // Counted as verl does: where the clipped branch is the one in force (and so blocks the gradient).
            if (clippedLoss > unclippedLoss)
            {
                clipped++;
            }

            if (beta != 0)
            {
                double diff = Math.Clamp(refLogProbs[t] - logProbs[t], -LogRatioClamp, LogRatioClamp);
                double expDiff = Math.Exp(diff);
                double k3 = expDiff - diff - 1;
                if (k3 < KlClamp)
                {
                    grad += beta * (1 - expDiff);
                }

                klSum += Math.Min(k3, KlClamp);
            }

            gradient[t] = (float)(grad / normalizer);
            if (hasEntropy)
            {
                entropySum += entropy[t];
                entropyGradient[t] = (float)(-c / normalizer);
            }
        }

        double policyLoss = policySum / normalizer;
        double kl = klSum / tokens;
        return new GrpoLossResult(policyLoss + (beta * klSum / normalizer) - (c * entropySum / normalizer), policyLoss, kl, (double)clipped / tokens, tokens, entropySum / tokens);
    }
}
