using DeepResearcher.Core.Agent;
using DeepResearcher.Core.Protocol;
using DeepResearcher.Core.Protocol.Observations;
using DeepResearcher.Environments.Composition;
using DeepResearcher.Environments.World;
using DeepResearcher.Server.Tools;
using DeepResearcher.Testing;
using DeepResearcher.Web.Caching;
using DeepResearcher.Web.Reading;
using DeepResearcher.Web.Toolbox;
using DeepResearcher.World.Building;
using DeepResearcher.World.Generation;
using DeepResearcher.World.Questions;
using DeepResearcher.World.Storage;

namespace DeepResearcher.Server.Tests.Composition;

/// <summary>One spec, one composer: the named profiles, the training entry point and the remote tool server.</summary>
public sealed class ToolboxComposerTests : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "dr-composer-" + Guid.NewGuid().ToString("N"));

    private string World => Path.Combine(_root, "world");

    public async ValueTask InitializeAsync()
        => await WorldBuilder.BuildAsync(new WorldBuildOptions { OutDir = World, Seed = 3, Size = WorldSize.Tiny }, null, TestContext.Current.CancellationToken);

    public ValueTask DisposeAsync()
    {
        Directory.Delete(_root, recursive: true);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public void Profiles_have_names_and_values_name_their_profile()
    {
        Assert.Same(ToolboxProfile.Compact, ToolboxProfile.Parse("compact"));
        Assert.Same(ToolboxProfile.Default, ToolboxProfile.Parse("Default"));
        Assert.Equal(ToolboxProfile.Compact, ToolboxProfile.Of(3, 100, 2));
        Assert.Equal("custom", ToolboxProfile.Of(4, 100, 2).Name);
        var error = Assert.Throws<ArgumentException>(() => ToolboxProfile.Parse("tiny"));
        Assert.Contains("default or compact", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_compact_profile_shows_three_short_results()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using ComposedToolbox full = await ToolboxComposer.CreateAsync(new ToolboxSpec { WorldDir = World, Search = "local" }, ct);
        await using ComposedToolbox compact = await ToolboxComposer.CreateAsync(new ToolboxSpec { WorldDir = World, Search = "local", Profile = ToolboxProfile.Compact }, ct);
        var call = new ToolCall(ResearchTools.WebSearchName, []) { Queries = ["capital city river history"] };

        var many = Assert.IsType<SearchObservation>((await full.Toolbox.ExecuteAsync(call, new ToolContext("t", "q"), ct)).Observation);
        var few = Assert.IsType<SearchObservation>((await compact.Toolbox.ExecuteAsync(call, new ToolContext("t", "q"), ct)).Observation);

        Assert.True(many.Queries[0].Hits.Count > 3, $"{many.Queries[0].Hits.Count} hits");
        Assert.Equal(3, few.Queries[0].Hits.Count);
        Assert.All(few.Queries[0].Hits, h => Assert.True(h.Snippet.Length <= 101, h.Snippet));
        Assert.Contains("compact profile", compact.Description, StringComparison.Ordinal);
    }

    /// <summary>
    /// Training composes through <see cref="ToolboxComposer.CreateOnWorldAsync"/>; its tools must read exactly as the
    /// toolbox the pipeline built by hand before (same observations, same cache keys), or train's figures would move.
    /// </summary>
    [Fact]
    public async Task The_training_entry_point_reads_as_the_hand_built_training_toolbox_and_shares_its_cache()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        IReadOnlyList<WorldQuestion> questions = await QuestionJsonl.ReadAsync(WorldFiles.FullPath(World, WorldFiles.QuestionFile(QuestionSplit.Train)), ct);
        await using OfflineWorld world = await OfflineWorld.StartAsync(World, searchOverHttp: true, ct);
        string handCache = Path.Combine(_root, "hand.db");
        List<string> byHand;
        using (var sqlite = await SqliteToolCache.OpenAsync(handCache, null, ct))
        using (var search = new CachedSearchProvider(world.Search, sqlite, new CachedSearchOptions { KeyNamespace = "world@" + world.Origin.GetLeftPart(UriPartial.Authority) }))
        {
            IToolbox toolbox = world.CreateToolbox(new ExtractivePageReader(new ExtractivePageReaderOptions { MaxSentencesPerSegment = 2 }), new InMemoryToolStateStore(), new WebToolboxOptions { ResultsPerQuery = 3, MaxSnippetChars = 100 }, search);
            byHand = await ResearchAsync(toolbox, questions, ct);
        }

        List<string> composed;
        await using (ComposedToolbox tools = await ToolboxComposer.CreateOnWorldAsync(world, new ToolboxSpec { Profile = ToolboxProfile.Compact, CachePath = Path.Combine(_root, "composed.db") }, ct))
        {
            composed = await ResearchAsync(tools.Toolbox, questions, ct);
        }

        SearchCacheStatistics reused;
        await using (ComposedToolbox again = await ToolboxComposer.CreateOnWorldAsync(world, new ToolboxSpec { Profile = ToolboxProfile.Compact, CachePath = handCache }, ct))
        {
            Assert.Equal(byHand, await ResearchAsync(again.Toolbox, questions, ct));
            reused = again.Metrics.SearchCache()!;
        }

        Assert.Equal(byHand, composed);
        Assert.Contains(byHand, o => o.Contains("'url': 'http://world.local/", StringComparison.Ordinal));
        Assert.Equal(0, reused.Misses);
        Assert.True(reused.Hits > 0);
    }

    [Fact]
    public async Task A_remote_toolbox_answers_as_the_served_tools_and_names_its_runs_apart()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        var seen = new ContextRecorder();
        await using ToolServer server = await ToolServer.StartAsync(seen, new ToolServerOptions(), null, ct);
        var call = new ToolCall(ResearchTools.WebSearchName, []) { Queries = ["anything"] };

        await using (ComposedToolbox one = await ToolboxComposer.CreateAsync(new ToolboxSpec { ToolServers = [server.BaseUrl] }, ct))
        await using (ComposedToolbox two = await ToolboxComposer.CreateAsync(new ToolboxSpec { ToolServers = [server.BaseUrl] }, ct))
        {
            await one.Toolbox.ExecuteAsync(call, new ToolContext("q1", "q"), ct);
            await two.Toolbox.ExecuteAsync(call, new ToolContext("q1", "q"), ct);
            Assert.StartsWith("tool server " + server.BaseUrl, one.Description, StringComparison.Ordinal);
        }

        Assert.Equal(2, seen.TrajectoryIds.Count);
        Assert.All(seen.TrajectoryIds, id => Assert.EndsWith("/q1", id, StringComparison.Ordinal));
        Assert.NotEqual(seen.TrajectoryIds.First(), seen.TrajectoryIds.Last());
    }

    [Fact]
    public async Task A_tool_server_that_does_not_answer_is_an_error_naming_its_address_and_tools_serve()
    {
        var nowhere = new Uri($"http://127.0.0.1:{FreeLoopbackPort.Next()}/");

        var error = await Assert.ThrowsAsync<ArgumentException>(() => ToolboxComposer.CreateAsync(new ToolboxSpec { ToolServers = [nowhere] }, TestContext.Current.CancellationToken));

        Assert.Contains(nowhere.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Contains("deepresearcher tools serve", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Local_tools_next_to_a_tool_server_are_refused()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => ToolboxComposer.CreateAsync(
            new ToolboxSpec { ToolServers = [new Uri("http://127.0.0.1:9/")], WorldDir = World }, TestContext.Current.CancellationToken));

        Assert.Contains("tools serve", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Searches three questions' first queries, then browses the first hit of each twice (the second read resumes).</summary>
    private static async Task<List<string>> ResearchAsync(IToolbox toolbox, IReadOnlyList<WorldQuestion> questions, CancellationToken ct)
    {
        var formatter = new ObservationFormatter(ObservationFormat.Paper);
        var observations = new List<string>();
        foreach (WorldQuestion question in questions.Take(3))
        {
            var context = new ToolContext(question.Id, question.Question);
            ToolResult search = await toolbox.ExecuteAsync(new ToolCall(ResearchTools.WebSearchName, []) { Queries = [question.Path[0].Query] }, context, ct);
            observations.Add(formatter.Render(search.Observation));
            if (search.Observation is SearchObservation { Queries: [{ Hits: [var first, ..] }, ..] })
            {
                for (int read = 0; read < 2; read++)
                {
                    ToolResult browse = await toolbox.ExecuteAsync(new ToolCall(ResearchTools.BrowseWebpageName, []) { Urls = [first.Url] }, context, ct);
                    observations.Add(formatter.Render(browse.Observation));
                }
            }
        }

        return observations;
    }

    /// <summary>Answers every call with no hits and keeps the trajectory ids it was sent.</summary>
    private sealed class ContextRecorder : IToolbox
    {
        public System.Collections.Concurrent.ConcurrentQueue<string> TrajectoryIds { get; } = new();

        public Task<ToolResult> ExecuteAsync(ToolCall call, ToolContext context, CancellationToken cancellationToken)
        {
            TrajectoryIds.Enqueue(context.TrajectoryId);
            return Task.FromResult(new ToolResult(new SearchObservation([.. call.Queries.Select(q => new QueryResults(q, []))])));
        }
    }
}
