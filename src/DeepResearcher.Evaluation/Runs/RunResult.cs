using System.Text.Json;
using System.Text.Json.Serialization;

namespace DeepResearcher.Evaluation.Runs;

/// <summary>One line of <c>results.jsonl</c>: a question (one sample of it when n &gt; 1), the answer and every score.</summary>
public sealed record RunResult
{
    public required string Id { get; init; }

    public string Source { get; init; } = "unknown";

    public string Question { get; init; } = string.Empty;

    public IReadOnlyList<string> Answers { get; init; } = [];

    /// <summary>0-based sample index; always 0 for greedy runs.</summary>
    public int Sample { get; init; }

    /// <summary>The final answer; empty when the trajectory ended without one (scored 0, as the original does).</summary>
    public string Prediction { get; init; } = string.Empty;

    public double Em { get; init; }

    public double F1 { get; init; }

    public double SetF1 { get; init; }

    public double CoverEm { get; init; }

    /// <summary>The LLM judge's verdict, 0 or 1; null until judged or when the judge failed.</summary>
    public int? Mbe { get; init; }

    /// <summary>True when the judge gave no valid verdict after its retries (never counted as wrong).</summary>
    public bool? JudgeFailed { get; init; }

    public int? Hops { get; init; }

    public string? Type { get; init; }

    /// <summary>How the trajectory ended (snake_case <c>TerminationReason</c>).</summary>
    public string Termination { get; init; } = "answered";

    public string TrajectoryId { get; init; } = string.Empty;

    /// <summary>Fields this version does not know, kept so that rewriting the file loses nothing.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; init; }

    [JsonIgnore]
    public (string Id, int Sample) Key => (Id, Sample);

    public string ToJsonLine() => JsonSerializer.Serialize(this, RunJson.Options);
}
