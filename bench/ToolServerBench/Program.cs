using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using DeepResearcher.Server.Composition;
using DeepResearcher.Server.Tools;
using DeepResearcher.World.Building;
using DeepResearcher.World.Generation;

// Cached web_search through the tool server on loopback: 64 concurrent clients, bounded in count and time.
// Usage: dotnet run -c Release --project bench/ToolServerBench [-- SECONDS CLIENTS]
int seconds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10;
int clients = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 64;
string root = Path.Combine(Path.GetTempPath(), "dr-toolbench-" + Guid.NewGuid().ToString("N"));
try
{
    await WorldBuilder.BuildAsync(new WorldBuildOptions { OutDir = Path.Combine(root, "world"), Size = WorldSize.Small, Seed = 42 }, null, CancellationToken.None);
    await using ComposedToolbox tools = await ToolboxComposer.CreateAsync(new ToolboxSpec
    {
        WorldDir = Path.Combine(root, "world"),
        Search = "local",
        CachePath = Path.Combine(root, "tools.db"),
    }, CancellationToken.None);
    await using ToolServer server = await ToolServer.StartAsync(tools.Toolbox, new ToolServerOptions(), null, CancellationToken.None);
    Uri url = new(server.BaseUrl, "v1/tools/web_search");
    string[] queries = ["capital city country", "river length", "founded year organisation", "born year person", "mountain height"];
    using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients });

    // Warm the cache and the JIT: every query once.
    foreach (string q in queries)
    {
        (await http.PostAsJsonAsync(url, Body(q, "warm"))).EnsureSuccessStatusCode();
    }

    var latencies = new List<double>[clients];
    int errors = 0;
    using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
    var clock = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, clients).Select(async c =>
    {
        latencies[c] = [];
        int i = 0;
        while (!stop.IsCancellationRequested && i < 1_000_000)
        {
            long start = Stopwatch.GetTimestamp();
            try
            {
                using HttpResponseMessage response = await http.PostAsJsonAsync(url, Body(queries[(c + i) % queries.Length], $"t{c}"), CancellationToken.None);
                JsonObject? result = await response.Content.ReadFromJsonAsync<JsonObject>();
                if (!response.IsSuccessStatusCode || result?["error"] is not null)
                {
                    Interlocked.Increment(ref errors);
                }
            }
            catch (HttpRequestException)
            {
                Interlocked.Increment(ref errors);
            }

            latencies[c].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            i++;
        }
    }));
    double elapsed = clock.Elapsed.TotalSeconds;
    double[] all = [.. latencies.SelectMany(l => l).Order()];
    Console.WriteLine($"cached web_search through the tool server: {clients} clients, {elapsed:F1} s");
    Console.WriteLine($"  calls       {all.Length}");
    Console.WriteLine($"  calls/s     {all.Length / elapsed:F0}   (target ≥ 5,000)");
    Console.WriteLine($"  p50         {all[all.Length / 2]:F2} ms");
    Console.WriteLine($"  p99         {all[(int)(all.Length * 0.99)]:F2} ms   (target ≤ 20 ms)");
    Console.WriteLine($"  errors      {errors}");
}
finally
{
    Directory.Delete(root, recursive: true);
}

static JsonObject Body(string query, string trajectory) => new()
{
    ["query"] = new JsonArray(query),
    ["trajectory_id"] = trajectory,
    ["question"] = query,
};
