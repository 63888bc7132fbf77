using DeepResearcher.Tinker.Wire;
using DeepResearcher.Training.Backends;
using DeepResearcher.Training.Grpo;

namespace DeepResearcher.Tinker.Client;

/// <summary>
/// The in-process GRPO objective (<see cref="GrpoLoss"/>) as Tinker's <c>ppo</c> loss, whose per-token loss is
/// −min(ρA, clip(ρ, low, high)A) summed over every token, with no KL and no entropy term. Per policy token t
/// (mask 1) of a call with N policy tokens:
/// <code>
/// A'_t = (A_t − β (1 − e^{clamp(logπ_ref − logπ_old, ±20)})) / N      (0 where k3(logπ_old) ≥ 10, and where mask = 0)
/// </code>
/// so that at ρ = 1 (the first update on freshly sampled rollouts, which is every update of the original's recipe)
/// dℓ/dlogπ_t is the in-process loss's −A_t/N + β(1 − e^{ref − logπ})/N exactly: the k3 KL's gradient is folded into
/// the advantage, and the token mean becomes a sum through the 1/N. Where ρ ≠ 1 (later mini-batches or epochs) the
/// two differ: in process the KL gradient uses the current logπ and is never clipped; here it is evaluated at logπ_old
/// and clipped with the policy term. The in-process loss also clamps the log-ratio to ±20; the service's ppo does not.
/// </summary>
public static class GrpoOnPpo
{
    private const double LogRatioClamp = 20;
    private const double KlClamp = 10;

    /// <summary>The ppo loss_fn_config of the GRPO clip range: ratio bounds 1 − clip_low and 1 + clip_high.</summary>
    public static Dictionary<string, double> LossConfig(GrpoLossOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["clip_low_threshold"] = 1 - options.ClipLow,
            ["clip_high_threshold"] = 1 + options.ClipHigh,
        };
    }

    /// <summary>Refuses what the ppo loss cannot express, with what to set instead.</summary>
    public static void Check(GrpoLossOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.EntropyCoefficient != 0)
        {
            throw new NotSupportedException($"Tinker's ppo loss has no entropy term: set actor.entropy_coeff to 0 on a Tinker backend (got {options.EntropyCoefficient})");
        }

        if (options.Aggregation != LossAggregation.TokenMean)
        {
            throw new NotSupportedException("a Tinker backend aggregates the GRPO loss as a token mean (the advantages are scaled by 1/N); set actor.loss_agg_mode: token-mean");
        }
    }

    /// <summary>
    /// A'_t of one datum (length T, its targets), from its advantages A [T], sampling log-probs logπ_old [T], mask [T]
    /// and, with β &gt; 0, the reference's log-probs [T]; <paramref name="policyTokens"/> is N, the call's masked targets.
    /// </summary>
    public static float[] Advantages(TokenDatum datum, GrpoLossOptions options, int policyTokens)
    {
        ArgumentNullException.ThrowIfNull(datum);
        ArgumentNullException.ThrowIfNull(options);
        float[] advantages = datum.Advantages ?? throw new ArgumentException("the GRPO loss needs every datum's advantages", nameof(datum));
        float[] old = datum.SamplingLogProbs ?? throw new ArgumentException("the GRPO loss needs every datum's sampling log-probs", nameof(datum));
        double beta = options.KlCoefficient;
        float[]? reference = beta != 0 ? datum.ReferenceLogProbs ?? throw new ArgumentException("a KL coefficient above 0 needs every datum's reference log-probs", nameof(datum)) : null;
        int n = datum.Length;
        if (advantages.Length != n || old.Length != n || (reference is not null && reference.Length != n))
        {
            throw new ArgumentException($"a datum of {n} targets has {advantages.Length} advantages, {old.Length} sampling log-probs and {reference?.Length ?? n} reference log-probs; give one per target", nameof(datum));
        }

        var folded = new float[n];
        double scale = 1.0 / Math.Max(1, policyTokens);
        for (int t = 0; t < n; t++)
        {
            if (datum.LossMask[t] == 0)
            {
                continue;
            }

            double a = advantages[t];
            if (reference is not null)
            {
                double diff = Math.Clamp(reference[t] - old[t], -LogRatioClamp, LogRatioClamp);
                double expDiff = Math.Exp(diff);
                if (expDiff - diff - 1 < KlClamp)
                {
                    a -= beta * (1 - expDiff);
                }
            }

            folded[t] = (float)(a * scale);
        }

        return folded;
    }

    /// <summary>The k3 KL of the sampling policy to the reference, token mean over the masked targets (clamped at 10, as in process).</summary>
    public static double SamplingKl(IReadOnlyList<TokenDatum> data)
    {
        ArgumentNullException.ThrowIfNull(data);
        double sum = 0;
        int tokens = 0;
        foreach (TokenDatum d in data)
        {
            if (d.ReferenceLogProbs is null || d.SamplingLogProbs is null)
            {
                continue;
            }

            for (int t = 0; t < d.Length; t++)
            {
                if (d.LossMask[t] != 0)
                {
                    double diff = Math.Clamp(d.ReferenceLogProbs[t] - d.SamplingLogProbs[t], -LogRatioClamp, LogRatioClamp);
                    sum += Math.Min(Math.Exp(diff) - diff - 1, KlClamp);
                    tokens++;
                }
            }
        }

        return tokens == 0 ? 0 : sum / tokens;
    }

    /// <summary>The datums of a ppo forward_backward: targets, sampling log-probs and folded advantages (no weights: A' = 0 off the mask).</summary>
    public static List<Datum> Datums(IReadOnlyList<TokenDatum> data, GrpoLossOptions options)
    {
        ArgumentNullException.ThrowIfNull(data);
        Check(options);
        int policyTokens = 0;
        foreach (TokenDatum d in data)
        {
            policyTokens += d.LossTokens;
        }

        return [.. data.Select(d => new Datum
        {
            ModelInput = new ModelInput { Chunks = [new EncodedTextChunk { Tokens = d.InputTokens }] },
            LossFnInputs = new Dictionary<string, TensorData>(StringComparer.Ordinal)
            {
                ["target_tokens"] = TensorData.FromInts(d.TargetTokens),
                ["logprobs"] = TensorData.FromFloats(d.SamplingLogProbs ?? throw new ArgumentException("the GRPO loss needs every datum's sampling log-probs", nameof(data))),
                ["advantages"] = TensorData.FromFloats(Advantages(d, options, policyTokens)),
            },
        })];
    }
}
