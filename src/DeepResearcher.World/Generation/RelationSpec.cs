namespace DeepResearcher.World.Generation;

/// <summary>
/// How one relation of one subject type is named, stated and asked about. Templates use {s} for the subject phrase and {o} for the
/// object text; comparison templates use {a} and {b}.
/// </summary>
public sealed record RelationSpec
{
    public required string Name { get; init; }
    public required EntityType Subject { get; init; }

    /// <summary>The object's entity type, or null for a literal attribute.</summary>
    public EntityType? Object { get; init; }

    public required string InfoboxLabel { get; init; }

    /// <summary>Noun for a literal attribute ("founding year"), used to ask about it through a multi-hop description.</summary>
    public string? Attribute { get; init; }

    /// <summary>Words a searcher would add to the subject's name to look this relation up.</summary>
    public required string SearchWords { get; init; }

    public required IReadOnlyList<string> Questions { get; init; }
    public required IReadOnlyList<string> Sentences { get; init; }

    /// <summary>Noun phrases naming the object from the subject ("the founder of {s}"), for multi-hop questions.</summary>
    public IReadOnlyList<string> Descriptors { get; init; } = [];

    /// <summary>Yes/no question template using {s} and a candidate {o}.</summary>
    public string? YesNo { get; init; }

    /// <summary>Comparison templates using {a} and {b}; null when the relation is not comparable.</summary>
    public IReadOnlyList<string> Comparisons { get; init; } = [];

    /// <summary>True when the larger number wins the comparison (population, length); false when the smaller does (older = earlier year).</summary>
    public bool LargerWins { get; init; }

    /// <summary>Whether a long page may hide this literal deep in its text.</summary>
    public bool CanBeDeep { get; init; }

    public bool IsEntityValued => Object is not null;
}
