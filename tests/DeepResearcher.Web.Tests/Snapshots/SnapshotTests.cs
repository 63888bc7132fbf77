using DeepResearcher.Core.Agent;
using DeepResearcher.Core.Protocol;
using DeepResearcher.Core.Protocol.Observations;
using DeepResearcher.Testing;
using DeepResearcher.Web.Snapshots;

namespace DeepResearcher.Web.Tests.Snapshots;

public sealed class SnapshotTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "dr-snap-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public async Task A_recorded_run_replays_exactly_without_the_real_tools()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        var live = new ScriptedToolbox();
        live.SearchResults["capital"] = [new SearchHit("F", "https://f.example", "Fredville")];
        live.Pages["https://f.example"] = "The capital is Fredville.";
        ToolCall search = new(ResearchTools.WebSearchName, []) { Queries = ["capital"] };
        ToolCall browse = new(ResearchTools.BrowseWebpageName, []) { Urls = ["https://f.example"] };

        ToolResult[] recorded;
        using (SnapshotStore store = await SnapshotStore.OpenAsync(_dir, create: true, ct))
        {
            var recorder = new RecordingToolbox(live, store);
            var context = new ToolContext("run-1", "What is the capital?");
            recorded = [await recorder.ExecuteAsync(search, context, ct), await recorder.ExecuteAsync(browse, context, ct), await recorder.ExecuteAsync(browse, context, ct)];
        }

        using SnapshotStore reopened = await SnapshotStore.OpenAsync(_dir, create: false, ct);
        var replay = new ReplayToolbox(reopened);
        var again = new ToolContext("run-2", "What is the capital?"); // a new trajectory id: keys do not depend on it
        ToolResult[] replayed = [await replay.ExecuteAsync(search, again, ct), await replay.ExecuteAsync(browse, again, ct), await replay.ExecuteAsync(browse, again, ct)];

        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(Render(recorded[i]), Render(replayed[i]));
        }

        Assert.Equal(3, live.Calls.Count);
        Assert.Equal(0, replay.Misses);
        Assert.Equal(2, Directory.GetFiles(Path.Combine(_dir, "objects"), "*.json", SearchOption.AllDirectories).Length); // the two browses were identical: one object
    }

    [Fact]
    public async Task An_unrecorded_call_fails_soft_and_is_counted()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using SnapshotStore store = await SnapshotStore.OpenAsync(_dir, create: true, ct);
        var replay = new ReplayToolbox(store);

        ToolResult result = await replay.ExecuteAsync(new ToolCall(ResearchTools.WebSearchName, []) { Queries = ["never seen"] }, new ToolContext("t", "q"), ct);

        Assert.Contains("not in the snapshot", result.Error, StringComparison.Ordinal);
        Assert.Equal(1, replay.Misses);
    }

    [Fact]
    public async Task A_torn_last_index_line_is_skipped_and_a_missing_store_is_named()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using (SnapshotStore store = await SnapshotStore.OpenAsync(_dir, create: true, ct))
        {
            await store.PutAsync("k1", ToolResult.Failure("x"), ct);
        }

        await File.AppendAllTextAsync(Path.Combine(_dir, "index.jsonl"), "{\"key\": \"k2\", \"obj", ct);
        using SnapshotStore reopened = await SnapshotStore.OpenAsync(_dir, create: false, ct);

        Assert.Equal(1, reopened.Count);
        var ex = await Assert.ThrowsAsync<DirectoryNotFoundException>(() => SnapshotStore.OpenAsync(_dir + "-missing", create: false, ct));
        Assert.Contains("--record", ex.Message, StringComparison.Ordinal);
    }

    private static string Render(ToolResult result) => new ObservationFormatter(ObservationFormat.Json).Render(result.Observation) + "|" + result.Error;
}
