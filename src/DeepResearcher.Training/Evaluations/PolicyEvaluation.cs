using System.Text.Json.Serialization;

namespace DeepResearcher.Training.Evaluations;

/// <summary>
/// The policy's scores on held-out questions: greedy decoding, or averaged over several samples per question. Rates are
/// <see cref="Core.Trajectories.OutcomeRates"/>'. <paramref name="ProtocolErrorRate"/> is saved as <c>format_error_rate</c>,
/// the name evals/*.json, the log line and the README's "format errors" have always given it (it always counted
/// protocol errors only).
/// </summary>
public sealed record PolicyEvaluation(
    int Questions,
    double SetF1,
    double F1,
    double ExactMatch,
    [property: JsonPropertyName("format_error_rate")] double ProtocolErrorRate,
    double AnswerRate,
    double ToolCalls)
{
    /// <summary>Per hop count, ascending.</summary>
    public IReadOnlyList<HopEvaluation> ByHops { get; init; } = [];

    /// <summary>Trajectories sampled per question; 0 for greedy decoding.</summary>
    public int Samples { get; init; }

    /// <summary>The sampling temperature; 0 for greedy decoding.</summary>
    public double Temperature { get; init; }

    /// <summary>Share ended without an answer otherwise (max turns, context, a tool or the model); null in an evaluation saved before it was recorded.</summary>
    public double? NoAnswerRate { get; init; }

    public override string ToString()
        => (Samples > 0 ? FormattableString.Invariant($"{Questions} questions × {Samples} samples at temperature {Temperature:0.##}: ") : FormattableString.Invariant($"{Questions} questions: "))
        + FormattableString.Invariant($"set-F1 {SetF1 * 100:F1}, F1 {F1 * 100:F1}, EM {ExactMatch * 100:F1}, format errors {ProtocolErrorRate * 100:F1} %, answered {AnswerRate * 100:F1} %, tool calls {ToolCalls:F2}")
        + (ByHops.Count > 1 ? " (tool calls by hops: " + string.Join(", ", ByHops.Select(h => FormattableString.Invariant($"{h.Hops}: {h.ToolCalls:F2}"))) + ")" : string.Empty);
}
