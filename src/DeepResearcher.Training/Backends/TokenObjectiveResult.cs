namespace DeepResearcher.Training.Backends;

/// <summary>What a pass of an <see cref="ITokenObjective"/> measured: the summed loss, each datum's loss and log-probs in call order.</summary>
public sealed record TokenObjectiveResult(double Loss, IReadOnlyList<double> DatumLosses, IReadOnlyList<float[]> LogProbs);
