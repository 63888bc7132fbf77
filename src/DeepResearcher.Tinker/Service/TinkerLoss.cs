using DeepResearcher.Training.Backends;

namespace DeepResearcher.Tinker.Service;

/// <summary>
/// Tinker's built-in losses on the engine, each a sum over every token of every datum of the call (never a mean: a
/// caller wanting a mean passes weights = mask / count), as the Tinker docs define them:
/// <list type="bullet">
/// <item><c>cross_entropy</c>: Σ −weight·logπ(target).</item>
/// <item><c>importance_sampling</c>: −Σ (π/q)·advantage, with q the sampler's probability (<c>logprobs</c>).</item>
/// <item><c>ppo</c>: −Σ min(r·A, clip(r, low, high)·A), r = π/q, with low/high the ratio bounds <c>clip_low_threshold</c>
/// and <c>clip_high_threshold</c> of <c>loss_fn_config</c> (0.8 and 1.2 unless given).</item>
/// </list>
/// The RL losses take no weights: a token outside the policy's output carries advantage 0, which zeroes its gradient.
/// </summary>
public sealed class TinkerLoss : ITokenObjective
{
    public const string CrossEntropy = "cross_entropy";

    public const string ImportanceSampling = "importance_sampling";

    public const string Ppo = "ppo";

    public const double DefaultClipLow = 0.8;

    public const double DefaultClipHigh = 1.2;

    private readonly string _name;
    private readonly float[][] _weights;
    private readonly float[][] _samplingLogProbs;
    private readonly float[][] _advantages;
    private readonly double _clipLow;
    private readonly double _clipHigh;

    private TinkerLoss(string name, float[][] weights, float[][] samplingLogProbs, float[][] advantages, double clipLow, double clipHigh)
    {
        _name = name;
        _weights = weights;
        _samplingLogProbs = samplingLogProbs;
        _advantages = advantages;
        _clipLow = clipLow;
        _clipHigh = clipHigh;
        ElementwiseLoss = new float[weights.Length][];
    }

    /// <summary>Each datum's per-token loss (Tinker's <c>elementwise_loss</c>), filled as the pass computes it.</summary>
    public float[][] ElementwiseLoss { get; }

    public string Name => _name;

    /// <summary>The loss by name with its per-datum inputs; unknown names and missing inputs are refused with what to send.</summary>
    /// <param name="inputs">Each datum's loss_fn_inputs as floats by key, each as long as the datum.</param>
    public static TinkerLoss Create(string name, IReadOnlyList<IReadOnlyDictionary<string, float[]>> inputs, IReadOnlyDictionary<string, double>? config)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        string[] allowed = name switch
        {
            CrossEntropy or ImportanceSampling => [],
            Ppo => ["clip_low_threshold", "clip_high_threshold"],
            _ => throw new ArgumentException($"loss_fn '{name}' is not served here; use cross_entropy, importance_sampling or ppo"),
        };
        foreach (string key in config?.Keys ?? Enumerable.Empty<string>())
        {
            if (!allowed.Contains(key))
            {
                throw new ArgumentException(allowed.Length == 0
                    ? $"loss_fn '{name}' takes no loss_fn_config; '{key}' was given"
                    : $"loss_fn_config key '{key}' is not one of {name}'s: {string.Join(", ", allowed)}");
            }
        }

        double low = config?.GetValueOrDefault("clip_low_threshold", DefaultClipLow) ?? DefaultClipLow;
        double high = config?.GetValueOrDefault("clip_high_threshold", DefaultClipHigh) ?? DefaultClipHigh;
        if (!(low <= 1 && high >= 1))
        {
            throw new ArgumentException($"ppo's ratio bounds must satisfy clip_low_threshold ≤ 1 ≤ clip_high_threshold; got {low} and {high}");
        }

        int count = inputs.Count;
        var weights = new float[count][];
        var old = new float[count][];
        var advantages = new float[count][];
        for (int i = 0; i < count; i++)
        {
            if (name == CrossEntropy)
            {
                // SkyRL tx and Tinker default absent weights to 1 for every target.
                weights[i] = inputs[i].TryGetValue("weights", out float[]? w) ? w : [];
            }
            else
            {
                old[i] = inputs[i].TryGetValue("logprobs", out float[]? q) ? q : throw new ArgumentException($"datum {i}: {name} needs loss_fn_inputs.logprobs (the sampler's log-probs of the targets)");
                advantages[i] = inputs[i].TryGetValue("advantages", out float[]? a) ? a : throw new ArgumentException($"datum {i}: {name} needs loss_fn_inputs.advantages (one per target)");
            }
        }

        return new TinkerLoss(name, weights, old, advantages, low, high);
    }

    public double Compute(int index, ReadOnlySpan<float> logProbs, Span<float> gradient)
    {
        int n = logProbs.Length;
        var elementwise = new float[n];
        double total = 0;
        for (int t = 0; t < n; t++)
        {
            double loss, grad;
            switch (_name)
            {
                case CrossEntropy:
                {
                    float[] w = _weights[index];
                    double weight = w.Length == 0 ? 1 : w[t];
                    loss = -weight * logProbs[t];
                    grad = -weight;
                    break;
                }

                case ImportanceSampling:
                {
                    double ratio = Math.Exp(logProbs[t] - _samplingLogProbs[index][t]);
                    double a = _advantages[index][t];
                    loss = -ratio * a;
                    grad = -ratio * a;
                    break;
                }

                default:
                {
                    double ratio = Math.Exp(logProbs[t] - _samplingLogProbs[index][t]);
                    double a = _advantages[index][t];
                    double unclipped = ratio * a;
                    double clipped = Math.Clamp(ratio, _clipLow, _clipHigh) * a;

                    // The clipped branch is constant in θ where it is the smaller one; the unclipped branch's gradient is r·A.
                    loss = -Math.Min(unclipped, clipped);
                    grad = unclipped <= clipped ? -unclipped : 0;
                    break;
                }
            }

            elementwise[t] = (float)loss;
            gradient[t] = (float)grad;
            total += loss;
        }

        ElementwiseLoss[index] = elementwise;
        return total;
    }
}
