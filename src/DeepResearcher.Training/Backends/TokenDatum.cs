namespace DeepResearcher.Training.Backends;

/// <summary>
/// One causal-LM training example as a policy backend takes it (Tinker's <c>Datum</c>): the input tokens, the target of
/// each position, and per-target loss inputs. Only what the loss needs must be set: the cross-entropy reads the mask,
/// the GRPO loss also the sampling log-probs, the advantages and (with a KL term) the reference log-probs.
/// </summary>
/// <param name="InputTokens">Tokens fed to the model (the model input).</param>
/// <param name="TargetTokens">The token each input position predicts; as many as the inputs.</param>
/// <param name="LossMask">1 where the loss counts the target (the policy's own tokens), 0 elsewhere (Tinker's weights).</param>
public sealed record TokenDatum(int[] InputTokens, int[] TargetTokens, byte[] LossMask)
{
    public int Length => InputTokens.Length;

    /// <summary>log π_old(target) under the policy that sampled it (Tinker's <c>logprobs</c>); the GRPO loss's ratio denominator.</summary>
    public float[]? SamplingLogProbs { get; init; }

    /// <summary>The advantage of each target (Tinker's <c>advantages</c>); GRPO broadcasts the rollout's advantage.</summary>
    public float[]? Advantages { get; init; }

    /// <summary>log π_ref(target) under the frozen reference, for the GRPO loss's k3 KL term.</summary>
    public float[]? ReferenceLogProbs { get; init; }

    /// <summary>Targets with mask 1.</summary>
    public int LossTokens { get; } = CountLossTokens(LossMask);

    private static int CountLossTokens(byte[] mask)
    {
        int count = 0;
        foreach (byte m in mask)
        {
            count += m;
        }

        return count;
    }
}
