using System.Globalization;
using System.Reflection;

namespace DeepResearcher.Core.Protocol;

/// <summary>The DeepResearcher system prompt (spec §2), kept as a resource so that the wording lives in one place.</summary>
public static class SystemPrompt
{
    private static readonly Lazy<string> Browse = new(() => Load("system_prompt.txt"));
    private static readonly Lazy<string> Rag = new(() => Load("system_prompt_rag.txt"));

    /// <summary>The prompt with <paramref name="today"/> injected as yyyy-MM-dd (the original used the UTC date at start).</summary>
    public static string Render(DateOnly today, bool searchOnly = false)
    {
        string template = searchOnly ? Rag.Value : Browse.Value;
        return template.Replace("{today}", today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    private static string Load(string name)
    {
        using Stream stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("DeepResearcher.Core." + name)
            ?? throw new InvalidOperationException($"Embedded resource '{name}' is missing from DeepResearcher.Core.");
        using var reader = new StreamReader(stream);
        // The file ends with a newline for the editor's sake; the prompt itself does not.
        return reader.ReadToEnd().Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n');
    }
}
