namespace DeepResearcher.Tinker.Service;

/// <summary>
/// A <c>tinker://MODEL/KIND/NAME</c> path (SDK <c>types/checkpoint.py</c>, ParsedCheckpointTinkerPath): KIND is
/// <c>weights</c> (a training checkpoint, save_weights) or <c>sampler_weights</c> (save_weights_for_sampler).
/// </summary>
public sealed record TinkerPath(string ModelId, string Kind, string Name)
{
    public const string Scheme = "tinker://";

    public const string Weights = "weights";

    public const string SamplerWeights = "sampler_weights";

    public override string ToString() => $"{Scheme}{ModelId}/{Kind}/{Name}";

    public static TinkerPath Parse(string path)
    {
        if (!TryParse(path, out TinkerPath? parsed))
        {
            throw new FormatException($"'{path}' is not a tinker path; expected tinker://MODEL_ID/weights/NAME or tinker://MODEL_ID/sampler_weights/NAME");
        }

        return parsed;
    }

    public static bool TryParse(string? path, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out TinkerPath? parsed)
    {
        parsed = null;
        if (path is null || !path.StartsWith(Scheme, StringComparison.Ordinal))
        {
            return false;
        }

        string[] parts = path[Scheme.Length..].Split('/');
        if (parts.Length != 3 || parts[1] is not (Weights or SamplerWeights) || !IsName(parts[0]) || !IsName(parts[2]))
        {
            return false;
        }

        parsed = new TinkerPath(parts[0], parts[1], parts[2]);
        return true;
    }

    /// <summary>A model id or checkpoint name: letters, digits, '-', '_' and '.', not starting with '.', at most 128.</summary>
    public static bool IsName(string name)
        => name.Length is > 0 and <= 128 && name[0] != '.' && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
