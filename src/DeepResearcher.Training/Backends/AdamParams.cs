namespace DeepResearcher.Training.Backends;

/// <summary>
/// The optimizer step's settings, given with every step as Tinker's <c>AdamParams</c> are (so a schedule is the
/// trainer's, not the backend's). Defaults are PyTorch's AdamW; <see cref="GradClipNorm"/> bounds the global gradient
/// norm before the update.
/// </summary>
public sealed record AdamParams
{
    public float LearningRate { get; init; } = 1e-4f;

    public float Beta1 { get; init; } = 0.9f;

    public float Beta2 { get; init; } = 0.999f;

    public float Epsilon { get; init; } = 1e-8f;

    /// <summary>Decoupled decay: each step multiplies weights by (1 − lr·WeightDecay).</summary>
    public float WeightDecay { get; init; } = 0.01f;

    /// <summary>The most the global L2 norm of the gradients may be; larger ones are scaled down to it. 0 (Tinker's default) clips nothing.</summary>
    public float GradClipNorm { get; init; } = 1f;
}
