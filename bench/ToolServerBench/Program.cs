using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using DeepResearcher.Environments.Composition;
using DeepResearcher.Server.Tools;
using DeepResearcher.World.Building;
using DeepResearcher.World.Generation;

// Cached web_search through the tool server on loopback: 64 concurrent clients, bounded in count and time.
// Usage: dotnet run -c Release --project bench/ToolServerBench [-- SECONDS CLIENTS [hostile]]
// "hostile" runs a clean phase and then a phase where every tenth request is hostile, and reports their ratio.
int seconds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10;
int clients = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 64;
bool hostileMode = args.Length > 2 && args[2] == "hostile";
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

    Phase clean = await RunAsync(http, url, queries, clients, seconds, hostileShare: 0);
    Print("cached web_search through the tool server", clean, clients);
    if (hostileMode)
    {
        Phase hostile = await RunAsync(http, url, queries, clients, seconds, hostileShare: 10);
        Print("the same with 10 % hostile requests (cached calls only counted)", hostile, clients);
        Console.WriteLine($"  hostile/clean: calls/s {hostile.CallsPerSecond / clean.CallsPerSecond:F2}, p99 {hostile.P99 / clean.P99:F2}; hostile requests {hostile.Hostile}, wrongly answered {hostile.HostileWrong}");
        Console.WriteLine($"  /healthz after the hostile phase: {(await http.GetAsync(new Uri(server.BaseUrl, "healthz"))).StatusCode}");
    }
}
finally
{
    Directory.Delete(root, recursive: true);
}

static async Task<Phase> RunAsync(HttpClient http, Uri url, string[] queries, int clients, int seconds, int hostileShare)
{
    var latencies = new List<double>[clients];
    int errors = 0;
    int hostile = 0;
    int hostileWrong = 0;
    using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
    var clock = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, clients).Select(async c =>
    {
        latencies[c] = [];
        int i = 0;
        while (!stop.IsCancellationRequested && i < 1_000_000)
        {
            if (hostileShare > 0 && (c + i) % hostileShare == 0)
            {
                // A hostile request: refused with a 4xx and the error JSON, never served, never a 5xx.
                using HttpContent bad = HostileBodies[(c + i) / hostileShare % HostileBodies.Length]();
                using HttpResponseMessage refused = await http.PostAsync(url, bad, CancellationToken.None);
                string text = await refused.Content.ReadAsStringAsync();
                Interlocked.Increment(ref hostile);
                if ((int)refused.StatusCode is < 400 or >= 500 || !text.Contains("\"error\"", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref hostileWrong);
                }

                i++;
                continue;
            }

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
    return new Phase(elapsed, all.Length, all.Length / elapsed, all[all.Length / 2], all[(int)(all.Length * 0.99)], errors, hostile, hostileWrong);
}

static void Print(string title, Phase phase, int clients)
{
    Console.WriteLine($"{title}: {clients} clients, {phase.Seconds:F1} s");
    Console.WriteLine($"  calls       {phase.Calls}");
    Console.WriteLine($"  calls/s     {phase.CallsPerSecond:F0}   (target ≥ 5,000)");
    Console.WriteLine($"  p50         {phase.P50:F2} ms");
    Console.WriteLine($"  p99         {phase.P99:F2} ms   (target ≤ 20 ms)");
    Console.WriteLine($"  errors      {phase.Errors}");
}

static JsonObject Body(string query, string trajectory) => new()
{
    ["query"] = new JsonArray(query),
    ["trajectory_id"] = trajectory,
    ["question"] = query,
};

internal partial class Program
{
    /// <summary>Hostile requests of the kinds the tool server tests cover, each cheap to build.</summary>
    private static readonly Func<HttpContent>[] HostileBodies =
    [
        () => new StringContent("{\"trajectory_id\": \"h\", \"query\": [\"x\"]}", Encoding.UTF8, "text/plain"),
        () => new StringContent("{\"trajectory_id\": \"a\", \"trajectory_id\": \"b\", \"query\": [\"x\"]}", Encoding.UTF8, "application/json"),
        () => new StringContent("{\"trajectory_id\": \"h\", \"arguments\": " + new string('[', 2000) + new string(']', 2000) + "}", Encoding.UTF8, "application/json"),
        () => new StringContent("{\"trajectory_id\": \"h\", \"query\": [\"a" + new string('\u0301', 100_000) + "\"]}", Encoding.UTF8, "application/json"),
        () => new StringContent("{\"trajectory_id\": \"h\", \"query\": [" + string.Join(",", Enumerable.Range(0, 2000).Select(i => $"\"q{i}\"")) + "]}", Encoding.UTF8, "application/json"),
        () => new StringContent("{\"trajectory_id\": \"\\ud800\", \"query\": [\"x\"]}", Encoding.UTF8, "application/json"),
        () => new ByteArrayContent([(byte)'{', 0xFF, 0xFE, (byte)'}']) { Headers = { ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") } },
        () => new StringContent("{\"trajectory_id\": \"h\", \"query\": [\"a\\u0000b\"]}", Encoding.UTF8, "application/json"),
        () => new StringContent("[1, 2, 3]", Encoding.UTF8, "application/json"),
        () => new StringContent("{\"trajectory_id\": 1e99999, \"query\": [\"x\"]}", Encoding.UTF8, "application/json"),
    ];
}
