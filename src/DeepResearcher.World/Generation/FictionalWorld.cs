namespace DeepResearcher.World.Generation;

/// <summary>The generated fictional world: entities in index order plus reverse links for rendering.</summary>
public sealed class FictionalWorld
{
    private readonly List<(int Subject, Fact Fact)>[] _incoming;
    private readonly Dictionary<string, int> _byId;

    public FictionalWorld(ulong seed, WorldSize size, IReadOnlyList<Entity> entities)
    {
        Seed = seed;
        Size = size;
        Entities = entities;
        _incoming = new List<(int, Fact)>[entities.Count];
        _byId = new Dictionary<string, int>(entities.Count, StringComparer.Ordinal);
        for (int i = 0; i < entities.Count; i++)
        {
            if (entities[i].Index != i) throw new ArgumentException($"Entity {entities[i].Id} has index {entities[i].Index} but sits at position {i}.", nameof(entities));
            if (!_byId.TryAdd(entities[i].Id, i)) throw new ArgumentException($"Duplicate entity id {entities[i].Id}.", nameof(entities));
        }
        for (int i = 0; i < entities.Count; i++)
        {
            foreach (var fact in entities[i].Facts)
            {
                if (!fact.IsEntity) continue;
                if (fact.Target >= entities.Count) throw new ArgumentException($"Entity {entities[i].Id} fact '{fact.Relation}' points at missing index {fact.Target}.", nameof(entities));
                (_incoming[fact.Target] ??= []).Add((i, fact));
            }
        }
    }

    public ulong Seed { get; }
    public WorldSize Size { get; }
    public IReadOnlyList<Entity> Entities { get; }

    public Entity this[int index] => Entities[index];

    public Entity? FindById(string id) => _byId.TryGetValue(id, out int i) ? Entities[i] : null;

    /// <summary>Facts of other entities that point at <paramref name="index"/>, in subject index order.</summary>
    public IReadOnlyList<(int Subject, Fact Fact)> Incoming(int index) => _incoming[index] ?? (IReadOnlyList<(int, Fact)>)[];
}
