namespace DeepResearcher.Engine.Diagnostics;

/// <summary>The kernels <see cref="KernelTimings"/> accumulates time for; each forward kernel is followed by its backward.</summary>
public enum TimedKernel
{
    EmbeddingForward,
    EmbeddingBackward,
    RmsNormForward,
    RmsNormBackward,
    QkvProjectionForward,
    QkvProjectionBackward,
    RopeForward,
    RopeBackward,
    AttentionCoreForward,
    AttentionCoreBackward,
    OutputProjectionForward,
    OutputProjectionBackward,
    ResidualAddForward,
    MlpProjectionForward,
    MlpProjectionBackward,
    SwiGluForward,
    SwiGluBackward,
    LmHeadForward,
    LmHeadBackward,
}
