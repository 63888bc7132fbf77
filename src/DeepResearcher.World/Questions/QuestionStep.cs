namespace DeepResearcher.World.Questions;

/// <summary>
/// One supporting fact of a question: the page <see cref="Page"/> (a URL path) of entity <see cref="Entity"/> states that its
/// <see cref="Relation"/> is <see cref="Value"/> (an entity, <see cref="ValueEntity"/>, or a literal). <see cref="Segment"/> is the
/// 0-based 40,960-character browsing segment of that page's text where the statement first appears; <see cref="Query"/> is a
/// simple search query that finds the page.
/// </summary>
public sealed record QuestionStep(
    string Entity,
    string Name,
    string Page,
    string Relation,
    string Value,
    string? ValueEntity,
    int Segment,
    string Query);
