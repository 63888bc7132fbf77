using System.Xml.Linq;

namespace DeepResearcher.Architecture.Tests;

/// <summary>The project references of every <c>src/*/*.csproj</c>, read from the files on disk.</summary>
internal static class ProjectGraph
{
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>Project name → the names of the projects it references.</summary>
    public static IReadOnlyDictionary<string, IReadOnlySet<string>> ReadSources()
    {
        var graph = new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal);
        foreach (string file in Directory.EnumerateFiles(Path.Combine(RepositoryRoot, "src"), "*.csproj", SearchOption.AllDirectories))
        {
            graph[Path.GetFileNameWithoutExtension(file)] = References(file);
        }

        return graph;
    }

    public static IReadOnlySet<string> References(string projectFile) =>
        XDocument.Load(projectFile)
            .Descendants()
            .Where(e => e.Name.LocalName == "ProjectReference")
            .Select(e => Path.GetFileNameWithoutExtension(((string?)e.Attribute("Include") ?? string.Empty).Replace('\\', '/')))
            .ToHashSet(StringComparer.Ordinal);

    private static string FindRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DeepResearcher.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no DeepResearcher.slnx above {AppContext.BaseDirectory}: run the tests from a checkout");
    }
}
