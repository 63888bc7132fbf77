using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using DeepResearcher.Engine.Model;

namespace DeepResearcher.Engine.Optim;

/// <summary>
/// Adam with decoupled weight decay (Loshchilov &amp; Hutter), as torch.optim.AdamW: one fused pass per parameter
/// updates both moments and the float32 master weight. Parameters without a gradient are left alone.
/// </summary>
public sealed class AdamW
{
    private readonly Parameter[] _parameters;
    private readonly float[][] _firstMoment;
    private readonly float[][] _secondMoment;
    private readonly TransformerModel[] _owners;

    public AdamW(IEnumerable<Parameter> parameters, AdamWOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _parameters = parameters.Distinct().ToArray();
        _firstMoment = _parameters.Select(p => new float[p.Length]).ToArray();
        _secondMoment = _parameters.Select(p => new float[p.Length]).ToArray();
        Options = options ?? new AdamWOptions();
        _owners = [.. _parameters.Select(p => p.Owner).OfType<TransformerModel>().Distinct()];
    }

    public AdamWOptions Options { get; }

    /// <summary>Steps taken so far; the bias corrections use this count.</summary>
    public int StepCount { get; private set; }

    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>
    /// Each parameter with its live moment buffers (not copies: a large model's moments are twice its weights), in
    /// the order the optimizer was given them. For checkpoints; <see cref="RestoreState"/> reads them back.
    /// </summary>
    public IReadOnlyList<(Parameter Parameter, float[] FirstMoment, float[] SecondMoment)> State =>
        _parameters.Select((p, i) => (p, _firstMoment[i], _secondMoment[i])).ToArray();

    /// <summary>
    /// Replaces the step count and every parameter's moments with saved ones, looked up by <see cref="Parameter.Name"/>.
    /// Everything is checked before anything is changed, so a failed restore leaves the optimizer as it was.
    /// </summary>
    /// <exception cref="InvalidDataException">A parameter has no saved state or a moment of the wrong length.</exception>
    public void RestoreState(int stepCount, Func<string, (float[] FirstMoment, float[] SecondMoment)?> lookup)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(stepCount);
        ArgumentNullException.ThrowIfNull(lookup);
        var saved = new (float[] FirstMoment, float[] SecondMoment)[_parameters.Length];
        for (int i = 0; i < _parameters.Length; i++)
        {
            var p = _parameters[i];
            saved[i] = lookup(p.Name) ?? throw new InvalidDataException(
                $"AdamW state for parameter '{p.Name}' is missing; the saved optimizer was built over different parameters (another model, or LoRA versus full fine-tuning)");
            if (saved[i].FirstMoment.Length != p.Length || saved[i].SecondMoment.Length != p.Length)
            {
                throw new InvalidDataException(
                    $"AdamW state for parameter '{p.Name}' has {saved[i].FirstMoment.Length} and {saved[i].SecondMoment.Length} moment values where the parameter has {p.Length}; the saved optimizer belongs to a model of another shape");
            }
        }
        for (int i = 0; i < _parameters.Length; i++)
        {
            saved[i].FirstMoment.CopyTo(_firstMoment[i], 0);
            saved[i].SecondMoment.CopyTo(_secondMoment[i], 0);
        }
        StepCount = stepCount;
    }

    public void ZeroGrad()
    {
        foreach (var p in _parameters) p.ZeroGrad();
    }

    /// <summary>One update with the hyper-parameters of <see cref="Options"/>; bumps the weight version of the parameters' models.</summary>
    public void Step(float learningRate) => Step(learningRate, Options);

    /// <summary>
    /// One update with the given hyper-parameters (a caller that sets them per step, as a training API's optimizer
    /// step does); bumps the weight version of the parameters' models.
    /// </summary>
    public void Step(float learningRate, AdamWOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        StepCount++;
        float b1 = options.Beta1, b2 = options.Beta2;
        float biasCorrection1 = 1f - MathF.Pow(b1, StepCount);
        float biasCorrection2Sqrt = MathF.Sqrt(1f - MathF.Pow(b2, StepCount));
        float decay = 1f - learningRate * options.WeightDecay;
        float stepSize = learningRate / biasCorrection1;
        for (int i = 0; i < _parameters.Length; i++)
        {
            var p = _parameters[i];
            if (!p.RequiresGrad || !p.HasGrad) continue;
            Update(p.Data, p.Grad, _firstMoment[i], _secondMoment[i], b1, b2, options.Epsilon, decay, stepSize, 1f / biasCorrection2Sqrt);
        }
        foreach (var owner in _owners) owner.BumpWeightVersion();
    }

    private static void Update(Span<float> w, ReadOnlySpan<float> g, Span<float> m, Span<float> v,
        float b1, float b2, float eps, float decay, float stepSize, float inverseBiasCorrection2Sqrt)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var vb1 = Vector512.Create(b1);
            var vb1c = Vector512.Create(1f - b1);
            var vb2 = Vector512.Create(b2);
            var vb2c = Vector512.Create(1f - b2);
            var vEps = Vector512.Create(eps);
            var vDecay = Vector512.Create(decay);
            var vStep = Vector512.Create(stepSize);
            var vCorr = Vector512.Create(inverseBiasCorrection2Sqrt);
            ref float wr = ref w[0];
            ref float gr = ref Unsafe.AsRef(in g[0]);
            ref float mr = ref m[0];
            ref float vr = ref v[0];
            for (; i <= w.Length - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var gi = Vector512.LoadUnsafe(ref gr, (nuint)i);
                var mi = vb1 * Vector512.LoadUnsafe(ref mr, (nuint)i) + vb1c * gi;
                var vi = vb2 * Vector512.LoadUnsafe(ref vr, (nuint)i) + vb2c * gi * gi;
                var denominator = Vector512.Sqrt(vi) * vCorr + vEps;
                var wi = Vector512.LoadUnsafe(ref wr, (nuint)i) * vDecay - vStep * mi / denominator;
                mi.StoreUnsafe(ref mr, (nuint)i);
                vi.StoreUnsafe(ref vr, (nuint)i);
                wi.StoreUnsafe(ref wr, (nuint)i);
            }
        }
        for (; i < w.Length; i++)
        {
            float gi = g[i];
            float mi = b1 * m[i] + (1f - b1) * gi;
            float vi = b2 * v[i] + (1f - b2) * gi * gi;
            m[i] = mi;
            v[i] = vi;
            w[i] = w[i] * decay - stepSize * mi / (MathF.Sqrt(vi) * inverseBiasCorrection2Sqrt + eps);
        }
    }
}
