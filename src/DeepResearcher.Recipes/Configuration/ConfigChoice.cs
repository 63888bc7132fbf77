namespace DeepResearcher.Recipes.Configuration;

/// <summary>
/// The YAML spellings of one enum-valued config key: the file keeps verl-like strings, the code sees the enum, and
/// the two meet here only, when a file is read or written.
/// </summary>
public sealed class ConfigChoice<T>(IReadOnlyList<(string Name, T Value)> names, bool ignoreCase = false) : IConfigChoice
    where T : struct, Enum
{
    public Type Type => typeof(T);

    public IReadOnlyList<string> Names { get; } = [.. names.Select(n => n.Name)];

    public string Name(T value)
    {
        foreach ((string name, T candidate) in names)
        {
            if (EqualityComparer<T>.Default.Equals(candidate, value))
            {
                return name;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(value), value, $"no config name for {typeof(T).Name}.{value}");
    }

    public bool TryParse(string? text, out T value)
    {
        foreach ((string name, T candidate) in names)
        {
            if (text is not null && (ignoreCase ? string.Equals(name, text.Trim(), StringComparison.OrdinalIgnoreCase) : name == text))
            {
                value = candidate;
                return true;
            }
        }

        value = default;
        return false;
    }

    string IConfigChoice.Name(object value) => Name((T)value);

    bool IConfigChoice.TryParse(string? text, out object value)
    {
        bool found = TryParse(text, out T parsed);
        value = parsed;
        return found;
    }
}
