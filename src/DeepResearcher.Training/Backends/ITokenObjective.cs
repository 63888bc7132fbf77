namespace DeepResearcher.Training.Backends;

/// <summary>
/// A loss that is a sum over tokens of a function of each target's log-prob (Tinker's built-in losses are all of this
/// kind): given one datum's log-probs it returns that datum's loss and writes dLoss/dlogπ of every position, which the
/// engine backpropagates. The datum is named by its index in the call, so the objective can hold per-token inputs the
/// contract's <see cref="TokenDatum"/> does not (float weights, clip thresholds).
/// </summary>
public interface ITokenObjective
{
    /// <param name="index">The datum's position in the call's data.</param>
    /// <param name="logProbs">log π(target) of each of its positions under the current weights.</param>
    /// <param name="gradient">Written: dLoss/dlogπ of each position (as many as <paramref name="logProbs"/>).</param>
    /// <returns>The datum's loss.</returns>
    double Compute(int index, ReadOnlySpan<float> logProbs, Span<float> gradient);
}
