namespace DeepResearcher.World.Generation;

/// <summary>A non-canonical page about an entity that states <paramref name="WrongValue"/> for <paramref name="Relation"/>.</summary>
public sealed record Distractor(DistractorKind Kind, string Relation, string WrongValue);
