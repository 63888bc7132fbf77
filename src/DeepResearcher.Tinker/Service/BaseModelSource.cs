namespace DeepResearcher.Tinker.Service;

/// <summary>A base model the training server offers: its name in create_model and the checkpoint directory it loads.</summary>
public sealed record BaseModelSource(string Name, string Directory)
{
    /// <summary><c>NAME=DIR</c>, or <c>DIR</c> named after its last segment.</summary>
    public static BaseModelSource Parse(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        int equals = value.IndexOf('=', StringComparison.Ordinal);
        string directory = equals > 0 ? value[(equals + 1)..] : value;
        string name = equals > 0 ? value[..equals] : Path.GetFileName(Path.TrimEndingDirectorySeparator(directory));
        if (string.IsNullOrWhiteSpace(name) || string.IsNullOrWhiteSpace(directory))
        {
            throw new ArgumentException($"'{value}' is not a base model; give NAME=DIR or a checkpoint DIR");
        }

        return new BaseModelSource(name, directory);
    }
}
