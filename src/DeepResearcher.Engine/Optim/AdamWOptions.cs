namespace DeepResearcher.Engine.Optim;

/// <summary>AdamW hyper-parameters, PyTorch defaults except weight decay.</summary>
public sealed record AdamWOptions
{
    public float Beta1 { get; init; } = 0.9f;

    public float Beta2 { get; init; } = 0.999f;

    public float Epsilon { get; init; } = 1e-8f;

    /// <summary>Decoupled decay: each step multiplies weights by (1 − lr·WeightDecay).</summary>
    public float WeightDecay { get; init; } = 0.01f;
}
