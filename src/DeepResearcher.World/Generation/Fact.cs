namespace DeepResearcher.World.Generation;

/// <summary>
/// One typed relation or attribute of an entity. <paramref name="Target"/> is the object's entity index, or -1 for a literal;
/// <paramref name="Value"/> is the text pages state (the object's name or the formatted literal);
/// <paramref name="Number"/> orders literals for comparison questions.
/// </summary>
public sealed record Fact(string Relation, int Target, string Value, long Number)
{
    public bool IsEntity => Target >= 0;
}
