namespace DeepResearcher.World.Questions;

/// <summary>
/// A question with gold answers, in the original JSONL schema ({"id","source","question","answers"}) extended with hops, type,
/// the answer entity that decides its split, the page stating the answer, and the supporting path.
/// </summary>
public sealed record WorldQuestion
{
    public const string SourceName = "world";

    public required string Id { get; init; }
    public string Source { get; init; } = SourceName;
    public required string Question { get; init; }
    public required IReadOnlyList<string> Answers { get; init; }
    public required int Hops { get; init; }
    public required QuestionType Type { get; init; }

    /// <summary>Entity id that defines the split: the answer entity, or for literal and yes/no answers the entity the fact is about.</summary>
    public required string AnswerEntity { get; init; }

    /// <summary>URL path of the canonical page that states the final fact.</summary>
    public required string AnswerPage { get; init; }

    public required IReadOnlyList<QuestionStep> Path { get; init; }
}
