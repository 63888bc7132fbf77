using System.Numerics.Tensors;
using DeepResearcher.Engine.Diagnostics;

namespace DeepResearcher.Engine.Model;

/// <summary>Pre-norm decoder block: h = x + attn(norm₁ x); out = h + mlp(norm₂ h).</summary>
public sealed class TransformerBlock
{
    private readonly int _dim;
    private readonly float _eps;
    private float[] _normed1 = [];
    private float[] _rstd1 = [];
    private float[] _middle = [];
    private float[] _normed2 = [];
    private float[] _rstd2 = [];

    public TransformerBlock(int index, TransformerConfig config, RotaryEmbedding rope)
    {
        string prefix = $"model.layers.{index}";
        _dim = config.HiddenSize;
        _eps = (float)config.RmsNormEps;
        InputLayerNorm = new Parameter(prefix + ".input_layernorm.weight", _dim);
        SelfAttention = new Attention(prefix + ".self_attn", config, rope);
        PostAttentionLayerNorm = new Parameter(prefix + ".post_attention_layernorm.weight", _dim);
        Mlp = new SwiGluMlp(prefix + ".mlp", config);
    }

    public Parameter InputLayerNorm { get; }

    public Attention SelfAttention { get; }

    public Parameter PostAttentionLayerNorm { get; }

    public SwiGluMlp Mlp { get; }

    public IEnumerable<Linear> Linears =>
    [
        SelfAttention.QProj, SelfAttention.KProj, SelfAttention.VProj, SelfAttention.OProj,
        Mlp.GateProj, Mlp.UpProj, Mlp.DownProj,
    ];

    /// <summary>Base parameters in checkpoint order.</summary>
    public IEnumerable<Parameter> Parameters
    {
        get
        {
            yield return InputLayerNorm;
            foreach (var linear in Linears.Take(4))
            {
                yield return linear.Weight;
                if (linear.Bias is not null) yield return linear.Bias;
            }
            yield return PostAttentionLayerNorm;
            foreach (var linear in Linears.Skip(4)) yield return linear.Weight;
        }
    }

    internal void Reserve(int tokens, int maxSequenceLength, Workspace ws)
    {
        int n = tokens * _dim;
        Workspace.Take(ref _normed1, n);
        Workspace.Take(ref _rstd1, tokens);
        Workspace.Take(ref _middle, n);
        Workspace.Take(ref _normed2, n);
        Workspace.Take(ref _rstd2, tokens);
        Workspace.Take(ref ws.DNormed, n);
        SelfAttention.Reserve(tokens, maxSequenceLength, ws);
        Mlp.Reserve(tokens, ws);
    }

    internal void Forward(ReadOnlySpan<float> x, Span<float> output, TokenBatch batch, Workspace ws)
    {
        int tokens = batch.TokenCount, n = tokens * _dim;
        var normed1 = Workspace.Take(ref _normed1, n);
        var rstd1 = Workspace.Take(ref _rstd1, tokens);
        var middle = Workspace.Take(ref _middle, n);
        var normed2 = Workspace.Take(ref _normed2, n);
        var rstd2 = Workspace.Take(ref _rstd2, tokens);
        using (KernelTimings.Time(TimedKernel.RmsNormForward))
        {
            RmsNorm.Forward(x, InputLayerNorm.Data, normed1, rstd1, tokens, _dim, _eps);
        }
        SelfAttention.Forward(normed1, middle, batch, ws);
        using (KernelTimings.Time(TimedKernel.ResidualAddForward))
        {
            TensorPrimitives.Add(middle, x, middle);
        }
        using (KernelTimings.Time(TimedKernel.RmsNormForward))
        {
            RmsNorm.Forward(middle, PostAttentionLayerNorm.Data, normed2, rstd2, tokens, _dim, _eps);
        }
        Mlp.Forward(normed2, output, tokens);
        using (KernelTimings.Time(TimedKernel.ResidualAddForward))
        {
            TensorPrimitives.Add(output[..n], middle, output);
        }
    }

    /// <summary><paramref name="dResidual"/> holds dL/d(block output) on entry and dL/d(block input) on return.</summary>
    internal void Backward(Span<float> dResidual, ReadOnlySpan<float> x, TokenBatch batch, Workspace ws)
    {
        int tokens = batch.TokenCount, n = tokens * _dim;
        var dNormed = Workspace.Take(ref ws.DNormed, n);
        Mlp.Backward(dResidual, _normed2.AsSpan(0, n), dNormed, tokens, ws);
        using (KernelTimings.Time(TimedKernel.RmsNormBackward))
        {
            RmsNorm.Backward(dNormed, _middle.AsSpan(0, n), PostAttentionLayerNorm.Data, _rstd2.AsSpan(0, tokens), dResidual,
                PostAttentionLayerNorm.RequiresGrad ? PostAttentionLayerNorm.Grad : [], tokens, _dim);
        }
        SelfAttention.Backward(dResidual, _normed1.AsSpan(0, n), dNormed, batch, ws);
        using (KernelTimings.Time(TimedKernel.RmsNormBackward))
        {
            RmsNorm.Backward(dNormed, x, InputLayerNorm.Data, _rstd1.AsSpan(0, tokens), dResidual,
                InputLayerNorm.RequiresGrad ? InputLayerNorm.Grad : [], tokens, _dim);
        }
    }
}
