namespace DeepResearcher.Architecture.Tests;

/// <summary>
/// The layering of docs/architecture.md, enforced: libraries, then composition, then hosts, and data flowing one way.
/// A new project must be placed in <see cref="Allowed"/> before it builds green.
/// </summary>
public sealed class ProjectReferenceTests
{
    private const string Core = "DeepResearcher.Core";
    private const string Engine = "DeepResearcher.Engine";
    private const string Web = "DeepResearcher.Web";
    private const string Rendering = "DeepResearcher.Web.Rendering";
    private const string World = "DeepResearcher.World";
    private const string ChatModels = "DeepResearcher.ChatModels";
    private const string Evaluation = "DeepResearcher.Evaluation";
    private const string Training = "DeepResearcher.Training";
    private const string Environments = "DeepResearcher.Environments";
    private const string Recipes = "DeepResearcher.Recipes";
    private const string Serving = "DeepResearcher.Serving";
    private const string Tinker = "DeepResearcher.Tinker";
    private const string Server = "DeepResearcher.Server";
    private const string Cli = "DeepResearcher.Cli";

    private static readonly string[] Hosts = [Server, Cli];

    /// <summary>Each project and what it may reference (a subset is fine; anything else fails).</summary>
    private static readonly Dictionary<string, string[]> Allowed = new(StringComparer.Ordinal)
    {
        [Core] = [],
        [Engine] = [],
        [Web] = [Core],
        [Rendering] = [Core, Web],
        [World] = [Core],
        [ChatModels] = [Core],
        [Evaluation] = [Core],
        [Environments] = [Core, Web, World, ChatModels],
        [Training] = [Core, Engine, ChatModels, Evaluation, Environments, Web, World],
        [Recipes] = [Core, Engine, ChatModels, Evaluation, Environments, Web, World, Training, Tinker],
        [Serving] = [Core, Engine],
        [Tinker] = [Core, Engine, Training],
        [Server] = [Core, Web, World, ChatModels, Evaluation, Environments, Engine, Training, Serving, Tinker],
        [Cli] = [Core, Engine, Web, Rendering, World, ChatModels, Evaluation, Environments, Training, Recipes, Serving, Tinker, Server],
    };

    public static TheoryData<string> Projects() => [.. ProjectGraph.ReadSources().Keys.Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(Projects))]
    public void Every_reference_is_allowed_by_the_layering(string project)
    {
        Assert.True(Allowed.TryGetValue(project, out string[]? allowed), $"{project} is not placed in the layering: add it to {nameof(Allowed)} and docs/architecture.md");
        string[] extra = [.. ProjectGraph.ReadSources()[project].Except(allowed!).Order(StringComparer.Ordinal)];
        Assert.True(extra.Length == 0, $"{project} references {string.Join(", ", extra)}, which the layering does not allow (docs/architecture.md)");
    }

    [Fact]
    public void Core_and_engine_reference_no_project()
    {
        var graph = ProjectGraph.ReadSources();
        Assert.Empty(graph[Core]);
        Assert.Empty(graph[Engine]);
    }

    [Fact]
    public void No_library_references_a_host()
    {
        var offenders = ProjectGraph.ReadSources()
            .Where(p => !Hosts.Contains(p.Key))
            .SelectMany(p => p.Value.Intersect(Hosts).Select(host => $"{p.Key} -> {host}"))
            .ToList();
        Assert.Empty(offenders);
    }

    [Fact]
    public void The_layering_names_only_projects_that_exist()
    {
        var graph = ProjectGraph.ReadSources();
        Assert.All(Allowed.Keys, name => Assert.True(graph.ContainsKey(name), $"{name} is in the layering but src/ has no such project"));
    }

    [Fact]
    public void The_graph_has_no_cycle()
    {
        var graph = ProjectGraph.ReadSources();
        var done = new HashSet<string>(StringComparer.Ordinal);
        foreach (string start in graph.Keys)
        {
            Visit(start, []);
        }

        void Visit(string project, List<string> path)
        {
            Assert.False(path.Contains(project), $"reference cycle: {string.Join(" -> ", path.Append(project))}");
            if (!done.Add(project) || !graph.TryGetValue(project, out IReadOnlySet<string>? references))
            {
                return;
            }

            foreach (string reference in references)
            {
                Visit(reference, [.. path, project]);
            }
        }
    }

    [Fact]
    public void References_are_read_from_the_project_files()
    {
        // Guards the reader itself: Training's file names its references with relative paths.
        IReadOnlySet<string> training = ProjectGraph.References(Path.Combine(ProjectGraph.RepositoryRoot, "src", Training, Training + ".csproj"));
        Assert.Contains(Core, training);
        Assert.Contains(Engine, training);
    }
}
