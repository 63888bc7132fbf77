namespace DeepResearcher.Training.Backends;

/// <summary>The global gradient norm before clipping, and the weight version the step produced.</summary>
public sealed record OptimStepResult(float GradNorm, long WeightVersion);
