namespace DeepResearcher.World.Generation;

public sealed class Entity
{
    public required int Index { get; init; }
    public required string Id { get; init; }
    public required EntityType Type { get; init; }
    public required string Name { get; init; }
    public required string Slug { get; init; }
    public required IReadOnlyList<string> Aliases { get; init; }

    /// <summary>Sub-kind shown in prose: "novel", "university", "painter", "port city"…</summary>
    public required string Kind { get; init; }

    public required IReadOnlyList<Fact> Facts { get; init; }

    /// <summary>Set on long pages: the literal relation stated only deep in the article, beyond the first browsing segment.</summary>
    public string? DeepRelation { get; init; }

    public MirrorState Mirror { get; init; }

    /// <summary>The canonical page answers after a configured delay.</summary>
    public bool Slow { get; init; }

    public Distractor? Distractor { get; init; }

    public bool IsLongPage => DeepRelation is not null;

    public Fact? FindFact(string relation)
    {
        foreach (var f in Facts)
        {
            if (f.Relation == relation) return f;
        }
        return null;
    }

    public override string ToString() => $"{Id} {Type} {Name}";
}
