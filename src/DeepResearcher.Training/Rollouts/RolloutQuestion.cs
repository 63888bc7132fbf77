namespace DeepResearcher.Training.Rollouts;

/// <summary>A training question with its gold aliases.</summary>
public sealed record RolloutQuestion(string Id, string Question, IReadOnlyList<string> Answers)
{
    public int Hops { get; init; } = 1;
}
