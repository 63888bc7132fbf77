using System.Reflection;
using System.Text;

namespace DeepResearcher.Recipes.Configuration;

/// <summary>
/// Named starting points, each a YAML file embedded from <c>Presets/</c> with every key and the reasons for its values
/// as comments; a config file or command-line options override them.
/// </summary>
public static class TrainingPresets
{
    public static IReadOnlyList<string> Names { get; } = ["offline-tiny", "qwen2.5-0.5b", "tinker-qwen3-8b"];

    /// <summary>The preset's values: its file read over the built-in defaults.</summary>
    public static TrainingConfig Get(string name) => TrainingConfigFile.Overlay(new TrainingConfig(), Text(name), $"preset {name}");

    /// <summary>The preset's YAML file as written, comments included.</summary>
    public static string Text(string name)
    {
        if (!Names.Contains(name))
        {
            throw new ConfigException($"unknown preset '{name}'; presets: {string.Join(", ", Names)}");
        }

        using Stream stream = typeof(TrainingPresets).Assembly.GetManifestResourceStream($"Presets/{name}.yaml")
            ?? throw new InvalidOperationException($"the preset file Presets/{name}.yaml is not embedded in {typeof(TrainingPresets).Assembly.GetName().Name}");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>
    /// <paramref name="config"/> as YAML with the comments of its preset's file above the keys they explain: what
    /// <c>train --print-config</c> shows. The values are the config's own, so overrides show as they take effect.
    /// </summary>
    public static string Annotate(TrainingConfig config)
    {
        string yaml = TrainingConfigFile.ToYaml(config);
        if (!Names.Contains(config.Preset))
        {
            return yaml;
        }

        Dictionary<string, List<string>> comments = CommentsByKey(Text(config.Preset));
        var output = new StringBuilder();
        string section = string.Empty;
        foreach (string line in yaml.Split('\n'))
        {
            if (KeyPath(line, ref section) is string key && comments.TryGetValue(key, out List<string>? above))
            {
                above.ForEach(c => output.Append(c).Append('\n'));
            }

            output.Append(line).Append('\n');
        }

        return output.ToString(0, output.Length - 1);
    }

    /// <summary>Each key's comment lines (those right above it; the file's opening ones are above <c>preset</c>).</summary>
    private static Dictionary<string, List<string>> CommentsByKey(string text)
    {
        var comments = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var pending = new List<string>();
        string section = string.Empty;
        foreach (string raw in text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            if (raw.TrimStart().StartsWith('#'))
            {
                pending.Add(raw);
                continue;
            }

            if (raw.Trim().Length == 0)
            {
                continue;
            }

            if (KeyPath(raw, ref section) is string key && pending.Count > 0)
            {
                comments[key] = pending;
                pending = [];
            }
        }

        return comments;
    }

    /// <summary><c>section.key</c> for a key line (<c>section</c> for a section's own line); null for list items.</summary>
    private static string? KeyPath(string line, ref string section)
    {
        int colon = line.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || line.TrimStart().StartsWith('-'))
        {
            return null;
        }

        string name = line[..colon].Trim();
        if (!line.StartsWith(' '))
        {
            section = name;
            return name;
        }

        return section + "." + name;
    }
}
