namespace DeepResearcher.Recipes.Configuration;

/// <summary>A <see cref="ConfigChoice{T}"/> without its type argument, for the YAML and JSON converters that serve every choice.</summary>
public interface IConfigChoice
{
    Type Type { get; }

    IReadOnlyList<string> Names { get; }

    string Name(object value);

    bool TryParse(string? text, out object value);
}
