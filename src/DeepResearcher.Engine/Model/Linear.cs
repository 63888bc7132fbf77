using System.Numerics.Tensors;
using DeepResearcher.Engine.Kernels;

namespace DeepResearcher.Engine.Model;

/// <summary>y = x Wᵀ + b (+ LoRA) on row-major [rows, features] activations, W stored [out, in] as in PyTorch.</summary>
public sealed class Linear
{
    public Linear(string prefix, int inFeatures, int outFeatures, bool bias)
    {
        Prefix = prefix;
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Weight = new Parameter(prefix + ".weight", outFeatures, inFeatures);
        Bias = bias ? new Parameter(prefix + ".bias", outFeatures) : null;
    }

    /// <summary>The module name, e.g. <c>model.layers.0.self_attn.q_proj</c>.</summary>
    public string Prefix { get; }

    public int InFeatures { get; }

    public int OutFeatures { get; }

    public Parameter Weight { get; }

    public Parameter? Bias { get; }

    public LoraAdapter? Lora { get; private set; }

    public LoraAdapter AttachLora(int rank, float alpha)
    {
        Lora = new LoraAdapter(Prefix, InFeatures, OutFeatures, rank, alpha);
        return Lora;
    }

    /// <summary>Folds the adapter into the base weight (W += scale · B A) and detaches it, for fast inference.</summary>
    public void MergeLora()
    {
        if (Lora is not { } lora) return;
        var update = new float[Weight.Length];
        Gemm.Multiply(lora.B.Data, lora.A.Data, update, OutFeatures, InFeatures, lora.Rank);
        TensorPrimitives.MultiplyAdd(update, lora.Scale, Weight.Data, Weight.Data);
        Lora = null;
    }

    public void Forward(ReadOnlySpan<float> x, Span<float> y, int rows)
    {
        Gemm.Multiply(x, Weight.Data, y, rows, OutFeatures, InFeatures, transB: true);
        if (Bias is not null)
        {
            for (int r = 0; r < rows; r++)
            {
                var row = y.Slice(r * OutFeatures, OutFeatures);
                TensorPrimitives.Add(row, Bias.Data, row);
            }
        }
        if (Lora is { } lora)
        {
            int n = rows * lora.Rank;
            if (lora.ScaledHidden.Length < n) lora.ScaledHidden = new float[n];
            var hidden = lora.ScaledHidden.AsSpan(0, n);
            Gemm.Multiply(x, lora.A.Data, hidden, rows, lora.Rank, InFeatures, transB: true);
            TensorPrimitives.Multiply(hidden, lora.Scale, hidden);
            Gemm.Multiply(hidden, lora.B.Data, y, rows, OutFeatures, lora.Rank, transB: true, accumulate: true);
        }
    }

    /// <summary>
    /// Given dy [rows, out] and the forward input x, writes (or adds, when <paramref name="accumulateDx"/>) dx = dy W
    /// and accumulates dW, db and the LoRA gradients of the parameters that require them.
    /// </summary>
    public void Backward(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, Span<float> dx, int rows, bool accumulateDx, Span<float> scratch)
    {
        Gemm.Multiply(dy, Weight.Data, dx, rows, InFeatures, OutFeatures, accumulate: accumulateDx);
        if (Weight.RequiresGrad)
            Gemm.Multiply(dy, x, Weight.Grad, OutFeatures, InFeatures, rows, transA: true, accumulate: true);
        if (Bias is { RequiresGrad: true })
        {
            var db = Bias.Grad.AsSpan();
            for (int r = 0; r < rows; r++) TensorPrimitives.Add(db, dy.Slice(r * OutFeatures, OutFeatures), db);
        }
        if (Lora is { } lora)
        {
            var hidden = lora.ScaledHidden.AsSpan(0, rows * lora.Rank);
            if (lora.B.RequiresGrad)
                Gemm.Multiply(dy, hidden, lora.B.Grad, OutFeatures, lora.Rank, rows, transA: true, accumulate: true);
            var dHidden = scratch[..(rows * lora.Rank)];
            Gemm.Multiply(dy, lora.B.Data, dHidden, rows, lora.Rank, OutFeatures);
            TensorPrimitives.Multiply(dHidden, lora.Scale, dHidden);
            if (lora.A.RequiresGrad)
                Gemm.Multiply(dHidden, x, lora.A.Grad, lora.Rank, InFeatures, rows, transA: true, accumulate: true);
            Gemm.Multiply(dHidden, lora.A.Data, dx, rows, InFeatures, lora.Rank, accumulate: true);
        }
    }
}
