namespace DeepResearcher.Engine.Model;

/// <summary>A trainable tensor in float32 (the master copy) with its gradient, named as in Hugging Face checkpoints.</summary>
public sealed class Parameter
{
    private float[]? _grad;

    public Parameter(string name, params int[] shape)
    {
        Name = name;
        Shape = shape;
        long n = 1;
        foreach (int d in shape) n *= d;
        Data = new float[checked((int)n)];
    }

    public string Name { get; }

    public int[] Shape { get; }

    public float[] Data { get; }

    /// <summary>When false, backward skips this parameter's gradient (frozen base weights under LoRA).</summary>
    public bool RequiresGrad { get; set; } = true;

    public int Length => Data.Length;

    /// <summary>The accumulated gradient; allocated on first use.</summary>
    public float[] Grad => _grad ??= new float[Data.Length];

    public bool HasGrad => _grad is not null;

    /// <summary>The model whose weight version a change of <see cref="Data"/> must bump; null for a free-standing tensor.</summary>
    internal TransformerModel? Owner { get; set; }

    public void ZeroGrad()
    {
        if (_grad is not null) Array.Clear(_grad);
    }

    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}
