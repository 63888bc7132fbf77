namespace DeepResearcher.Engine.Optim;

/// <summary>
/// Learning rate by step (0-based): linear warmup from 0 over <see cref="WarmupSteps"/>, then constant or a cosine decay
/// to <see cref="MinLearningRate"/> at <see cref="TotalSteps"/>.
/// </summary>
public sealed record LearningRateSchedule
{
    public required float PeakLearningRate { get; init; }

    public int WarmupSteps { get; init; }

    /// <summary>0 means no decay after warmup (constant schedule).</summary>
    public int TotalSteps { get; init; }

    public float MinLearningRate { get; init; }

    public static LearningRateSchedule Constant(float learningRate) => new() { PeakLearningRate = learningRate };

    public static LearningRateSchedule WarmupCosine(float peak, int warmupSteps, int totalSteps, float min = 0f)
        => new() { PeakLearningRate = peak, WarmupSteps = warmupSteps, TotalSteps = totalSteps, MinLearningRate = min };

    public float At(int step)
    {
        if (step < WarmupSteps) return PeakLearningRate * (step + 1) / WarmupSteps;
        if (TotalSteps <= WarmupSteps) return PeakLearningRate;
        double progress = Math.Clamp((double)(step - WarmupSteps) / (TotalSteps - WarmupSteps), 0.0, 1.0);
        return (float)(MinLearningRate + 0.5 * (PeakLearningRate - MinLearningRate) * (1 + Math.Cos(Math.PI * progress)));
    }
}
