namespace DeepResearcher.Engine.Model;

/// <summary>Losses expressed on per-token log-probs, returning dL/dlogProb[t] for <see cref="TransformerModel.Backward"/>.</summary>
public static class TokenLoss
{
    /// <summary>
    /// L = −Σ w[t]·logp[t] / Σ w[t] (masked mean cross-entropy when w is a 0/1 mask). Writes dL/dlogp[t] = −w[t]/Σw.
    /// </summary>
    public static float MaskedMeanNegativeLogLikelihood(ReadOnlySpan<float> logProbs, ReadOnlySpan<float> mask, Span<float> dLogProbs)
    {
        if (mask.Length != logProbs.Length || dLogProbs.Length != logProbs.Length)
            throw new ArgumentException("log-probs, mask and gradient must have the same length");
        double total = 0, weight = 0;
        for (int t = 0; t < logProbs.Length; t++)
        {
            weight += mask[t];
            total += (double)mask[t] * logProbs[t];
        }
        if (weight == 0)
        {
            dLogProbs.Clear();
            return 0f;
        }
        for (int t = 0; t < logProbs.Length; t++) dLogProbs[t] = (float)(-mask[t] / weight);
        return (float)(-total / weight);
    }

    /// <summary>L = Σ w[t]·logp[t] for arbitrary per-token weights (e.g. −advantage/|tokens| for policy gradient); dL/dlogp = w.</summary>
    public static float WeightedSum(ReadOnlySpan<float> logProbs, ReadOnlySpan<float> weights, Span<float> dLogProbs)
    {
        if (weights.Length != logProbs.Length || dLogProbs.Length != logProbs.Length)
            throw new ArgumentException("log-probs, weights and gradient must have the same length");
        double total = 0;
        for (int t = 0; t < logProbs.Length; t++) total += (double)weights[t] * logProbs[t];
        weights.CopyTo(dLogProbs);
        return (float)total;
    }
}
