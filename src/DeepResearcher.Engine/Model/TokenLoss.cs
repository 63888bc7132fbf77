namespace DeepResearcher.Engine.Model;

/// <summary>
/// The masked cross-entropy on per-token log-probs, returning dL/dlogProb[t] for <see cref="TransformerModel.Backward(ReadOnlySpan{float})"/>:
/// the one implementation the SFT warm start (through the policy backend's cross-entropy loss), the benchmarks and
/// the reference tests share.
/// </summary>
public static class TokenLoss
{
    /// <summary>
    /// L = −Σ_{t: mask[t] = 1} logp[t] / <paramref name="normalizer"/>; writes dL/dlogp[t] = −1/normalizer where the
    /// mask is 1 and 0 elsewhere. The normalizer is the caller's so that a batch split into micro-batches (gradient
    /// accumulation) still takes the mean over the whole batch's masked tokens.
    /// </summary>
    public static double MaskedNegativeLogLikelihood(ReadOnlySpan<float> logProbs, ReadOnlySpan<byte> mask, double normalizer, Span<float> dLogProbs)
    {
        if (mask.Length != logProbs.Length || dLogProbs.Length != logProbs.Length)
        {
            throw new ArgumentException($"log-probs ({logProbs.Length}), mask ({mask.Length}) and gradient ({dLogProbs.Length}) must have the same length");
        }

        if (!(normalizer > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(normalizer), normalizer, "the normalizer (masked tokens of the batch) must be positive");
        }

        // Rounded once from double: the same float as −1f / n for any token count below 2^24.
        float gradient = (float)(-1.0 / normalizer);
        double sum = 0;
        for (int t = 0; t < logProbs.Length; t++)
        {
            if (mask[t] == 1)
            {
                sum -= logProbs[t];
                dLogProbs[t] = gradient;
            }
            else
            {
                dLogProbs[t] = 0;
            }
        }

        return sum / normalizer;
    }

    /// <summary>The mean over this span's masked tokens (0, with a zero gradient, when none is masked).</summary>
    public static double MaskedMeanNegativeLogLikelihood(ReadOnlySpan<float> logProbs, ReadOnlySpan<byte> mask, Span<float> dLogProbs)
    {
        int tokens = 0;
        foreach (byte m in mask)
        {
            tokens += m == 1 ? 1 : 0;
        }

        if (tokens == 0)
        {
            if (mask.Length != logProbs.Length || dLogProbs.Length != logProbs.Length)
            {
                throw new ArgumentException($"log-probs ({logProbs.Length}), mask ({mask.Length}) and gradient ({dLogProbs.Length}) must have the same length");
            }

            dLogProbs.Clear();
            return 0;
        }

        return MaskedNegativeLogLikelihood(logProbs, mask, tokens, dLogProbs);
    }
}
