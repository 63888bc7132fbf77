using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace DeepResearcher.Engine.Kernels;

/// <summary>
/// Fused elementwise passes for the model's hot loops: one read and one write of the data where the
/// TensorPrimitives equivalent would take two or three passes.
/// </summary>
public static class Elementwise
{
    /// <summary>x[i] = exp(scale · x[i] + shift); returns Σ x[i] (after), accumulated in 16 lanes then summed in a fixed order.</summary>
    public static float ExpAffineSum(Span<float> x, float scale, float shift)
    {
        int i = 0;
        float sum = 0f;
        ref float start = ref MemoryMarshal.GetReference(x);
        if (Vector512.IsHardwareAccelerated && x.Length >= Vector512<float>.Count)
        {
            var s = Vector512.Create(scale);
            var b = Vector512.Create(shift);
            var acc = Vector512<float>.Zero;
            for (; i + Vector512<float>.Count <= x.Length; i += Vector512<float>.Count)
            {
                var e = Vector512.Exp(Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref start, (nuint)i), s, b));
                e.StoreUnsafe(ref start, (nuint)i);
                acc += e;
            }
            sum = Vector512.Sum(acc);
        }
        for (; i < x.Length; i++)
        {
            float e = MathF.Exp(MathF.FusedMultiplyAdd(Unsafe.Add(ref start, i), scale, shift));
            Unsafe.Add(ref start, i) = e;
            sum += e;
        }
        return sum;
    }

    /// <summary>
    /// Σ exp(x[i] + shift) and Σ exp(x[i] + shift)·(x[i] + shift), without writing anything: the softmax normaliser of a
    /// row and, with it, what its entropy needs (shift = −max keeps every exponent ≤ 0).
    /// </summary>
    public static float ExpSum(ReadOnlySpan<float> x, float shift, out float weightedSum)
    {
        int i = 0;
        float sum = 0f, weighted = 0f;
        ref float start = ref MemoryMarshal.GetReference(x);
        if (Vector512.IsHardwareAccelerated && x.Length >= Vector512<float>.Count)
        {
            var b = Vector512.Create(shift);
            var acc = Vector512<float>.Zero;
            var accWeighted = Vector512<float>.Zero;
            for (; i + Vector512<float>.Count <= x.Length; i += Vector512<float>.Count)
            {
                var y = Vector512.LoadUnsafe(ref start, (nuint)i) + b;
                var e = Vector512.Exp(y);
                acc += e;
                accWeighted = Vector512.FusedMultiplyAdd(e, y, accWeighted);
            }
            sum = Vector512.Sum(acc);
            weighted = Vector512.Sum(accWeighted);
        }
        for (; i < x.Length; i++)
        {
            float y = Unsafe.Add(ref start, i) + shift;
            float e = MathF.Exp(y);
            sum += e;
            weighted += e * y;
        }
        weightedSum = weighted;
        return sum;
    }

    /// <summary>
    /// Turns logits into dL/dlogits for L = g·log p[target] + e·H(p), given the row's log-sum-exp and entropy H:
    /// x[v] ← −p[v]·(g + e·(log p[v] + H)); the caller adds g at the target. With e = 0 this is −g·p[v].
    /// </summary>
    public static void LogSoftmaxGradient(Span<float> x, float logSumExp, float entropy, float logProbGrad, float entropyGrad)
    {
        int i = 0;
        ref float start = ref MemoryMarshal.GetReference(x);
        if (Vector512.IsHardwareAccelerated)
        {
            var lse = Vector512.Create(logSumExp);
            var g = Vector512.Create(logProbGrad);
            var eg = Vector512.Create(entropyGrad);
            var h = Vector512.Create(entropy);
            for (; i + Vector512<float>.Count <= x.Length; i += Vector512<float>.Count)
            {
                var logp = Vector512.LoadUnsafe(ref start, (nuint)i) - lse;
                var p = Vector512.Exp(logp);
                (-p * Vector512.FusedMultiplyAdd(eg, logp + h, g)).StoreUnsafe(ref start, (nuint)i);
            }
        }
        for (; i < x.Length; i++)
        {
            float logp = Unsafe.Add(ref start, i) - logSumExp;
            Unsafe.Add(ref start, i) = -MathF.Exp(logp) * MathF.FusedMultiplyAdd(entropyGrad, logp + entropy, logProbGrad);
        }
    }

    /// <summary>
    /// One row of attention backward from the raw scores s and dP = dO·Vᵀ: p = exp(scale·s − lse) (written over s) and
    /// dS = p·(dP − rowDot)·scale (written over dP), where rowDot = ⟨dO, O⟩; one pass instead of an exp pass and a
    /// gradient pass.
    /// </summary>
    public static void SoftmaxBackwardRow(Span<float> scores, Span<float> dProbs, float scale, float logSumExp, float rowDot)
    {
        if (dProbs.Length < scores.Length) throw new ArgumentException("dProbs is shorter than scores", nameof(dProbs));
        int i = 0;
        ref float s = ref MemoryMarshal.GetReference(scores);
        ref float d = ref MemoryMarshal.GetReference(dProbs);
        if (Vector512.IsHardwareAccelerated)
        {
            var sv = Vector512.Create(scale);
            var shift = Vector512.Create(-logSumExp);
            var dot = Vector512.Create(rowDot);
            for (; i + Vector512<float>.Count <= scores.Length; i += Vector512<float>.Count)
            {
                var p = Vector512.Exp(Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref s, (nuint)i), sv, shift));
                p.StoreUnsafe(ref s, (nuint)i);
                (p * sv * (Vector512.LoadUnsafe(ref d, (nuint)i) - dot)).StoreUnsafe(ref d, (nuint)i);
            }
        }
        for (; i < scores.Length; i++)
        {
            float p = MathF.Exp(MathF.FusedMultiplyAdd(Unsafe.Add(ref s, i), scale, -logSumExp));
            Unsafe.Add(ref s, i) = p;
            Unsafe.Add(ref d, i) = p * scale * (Unsafe.Add(ref d, i) - rowDot);
        }
    }
}
