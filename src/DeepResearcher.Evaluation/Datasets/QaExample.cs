namespace DeepResearcher.Evaluation.Datasets;

/// <summary>
/// A question with its gold aliases, in the original's JSONL schema (<c>{"id","source","question","answers":[…]}</c>).
/// The offline world adds <c>hops</c> and <c>type</c>.
/// </summary>
public sealed record QaExample(string Id, string Source, string Question, IReadOnlyList<string> Answers)
{
    public int? Hops { get; init; }

    public string? Type { get; init; }
}
