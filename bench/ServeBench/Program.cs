using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using DeepResearcher.Core.Protocol.Rendering;
using DeepResearcher.Engine.Model;
using DeepResearcher.Engine.Sampling;
using DeepResearcher.Engine.Tokenization;
using DeepResearcher.Server.Model;
using DeepResearcher.Serving;
using DeepResearcher.Serving.Models;

// Aggregate decode tokens/s and time to first token of `serve model` with C concurrent streaming clients, against the
// engine's in-process continuous-batching sampler on the same prompts with the same options in the same run. Each
// client sends R requests in turn (greedy, ignore_eos, M new tokens); the ratio is HTTP tokens/s over in-process tokens/s.
var inv = CultureInfo.InvariantCulture;
int[] clientCounts = Array.ConvertAll(Arg("--clients", "1,8,32").Split(','), s => int.Parse(s, inv));
int requestsPerClient = int.Parse(Arg("--requests", "2"), inv);
int maxTokens = int.Parse(Arg("--max-tokens", "64"), inv);
int batch = int.Parse(Arg("--batch", "32"), inv);

string[] chatTokens = ["<|im_start|>", "<|im_end|>", "<think>", "</think>", "<tool_call>", "</tool_call>", "<answer>", "</answer>"];
string corpus = "the capital of freedonia is fredville and the river runs through the old town where the bridge was built in 1901";
BpeTokenizer tokenizer = BpeTrainer.Train([corpus, corpus.ToUpperInvariant()], 400, chatTokens);
// The model's vocabulary is the tokenizer's: a random model samples every id, and ids past the tokenizer have no text.
var model = TransformerModel.Create(new TransformerConfig
{
    VocabSize = tokenizer.VocabSize, HiddenSize = 256, IntermediateSize = 704, NumLayers = 4, NumHeads = 4, NumKeyValueHeads = 2,
    QkvBias = true, TieWordEmbeddings = true, RopeTheta = 1e6, MaxPositionEmbeddings = 2048,
});
var random = new Random(1);
foreach (Parameter p in model.Parameters)
{
    for (int i = 0; i < p.Data.Length; i++) p.Data[i] = p.Name.Contains("norm", StringComparison.Ordinal) ? 1f : 0.05f * (float)(random.NextDouble() * 2 - 1);
}

var options = new ServingOptions { MaxConcurrency = Math.Max(batch, clientCounts.Max()), MaxBatchSize = batch, MaxTokensCap = maxTokens };
await using var catalog = new ModelCatalog([new ServedModel("bench", model, tokenizer, Qwen25ChatTemplate.Instance, options, "memory")]);
var service = new CompletionService(catalog, options);
await using ModelServer server = await ModelServer.StartAsync(service, new ModelServerOptions { Port = 0 }, null, CancellationToken.None);
using var http = new HttpClient { BaseAddress = new Uri(server.BaseUrl, "v1/"), Timeout = TimeSpan.FromMinutes(10) };
ServedModel served = catalog.Models[0];

Console.WriteLine($"ServeBench: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {model.Parameters.Sum(p => (long)p.Length) / 1e6:F1} M parameters, batch {batch}, {maxTokens} new tokens, {requestsPerClient} requests per client, load average {LoadAverage()}");
var rows = new List<string>();
// A warm-up of both paths long enough for the sampler's decode loop to reach tier-1 code: with 2 requests of each the
// first measured path (in process) ran on tier-0 code and measured 1.3-4x slower than HTTP at 1 and 8 clients.
for (int round = 0; round < 2; round++)
{
    await InProcessAsync(8, 4);
    await HttpAsync(8, 4);
}
foreach (int clients in clientCounts)
{
    Result direct = await InProcessAsync(clients, requestsPerClient);
    Result overHttp = await HttpAsync(clients, requestsPerClient);
    string row = string.Create(inv, $"| {clients} | {direct.TokensPerSecond:F0} | {direct.Ttft(0.5):F1} | {direct.Ttft(0.99):F1} | {overHttp.TokensPerSecond:F0} | {overHttp.Ttft(0.5):F1} | {overHttp.Ttft(0.99):F1} | {overHttp.TokensPerSecond / direct.TokensPerSecond:F2} |");
    Console.WriteLine(row);
    rows.Add(row);
}

Console.WriteLine();
Console.WriteLine("| clients | in-process tok/s | TTFT p50 ms | TTFT p99 ms | HTTP tok/s | TTFT p50 ms | TTFT p99 ms | HTTP/in-process |");
Console.WriteLine("|---|---|---|---|---|---|---|---|");
foreach (string row in rows) Console.WriteLine(row);
Console.WriteLine($"load average at the end {LoadAverage()}");
return 0;

string Prompt(int client, int request) => Qwen25ChatTemplate.Instance.Render(
    [DeepResearcher.Core.Protocol.ChatMessage.User($"question {client} {request}: {corpus[..(20 + (client * 7 + request) % 60)]}")], null, addGenerationPrompt: true);

async Task<Result> InProcessAsync(int clients, int requests)
{
    var ttft = new List<double>();
    long tokens = 0;
    var clock = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
    {
        for (int r = 0; r < requests; r++)
        {
            var start = Stopwatch.GetTimestamp();
            double first = -1;
            var request = new SamplingRequest(tokenizer.Encode(Prompt(c, r)), new DecodingOptions { Temperature = 0, MaxNewTokens = maxTokens })
            {
                OnToken = _ => { if (first < 0) first = Stopwatch.GetElapsedTime(start).TotalMilliseconds; },
            };
            SamplingResult result = await served.Sampler.SubmitAsync(request, CancellationToken.None);
            lock (ttft)
            {
                ttft.Add(first);
                tokens += result.TokenIds.Length;
            }
        }
    })));
    return new Result(tokens / clock.Elapsed.TotalSeconds, ttft);
}

async Task<Result> HttpAsync(int clients, int requests)
{
    var ttft = new List<double>();
    long tokens = 0;
    var clock = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
    {
        for (int r = 0; r < requests; r++)
        {
            var body = new JsonObject
            {
                ["model"] = "bench", ["temperature"] = 0, ["max_tokens"] = maxTokens, ["ignore_eos"] = true, ["stream"] = true,
                ["stream_options"] = new JsonObject { ["include_usage"] = true },
                ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = $"question {c} {r}: {corpus[..(20 + (c * 7 + r) % 60)]}" }),
            };
            var start = Stopwatch.GetTimestamp();
            double first = -1;
            using var message = new HttpRequestMessage(HttpMethod.Post, "chat/completions") { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
            using HttpResponseMessage response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead);
            response.EnsureSuccessStatusCode();
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            int completion = 0;
            int events = 0;
            while (await reader.ReadLineAsync() is { } line)
            {
                if (!line.StartsWith("data: {", StringComparison.Ordinal)) continue;
                // The first event is the role; the second carries the first sampled token.
                if (++events == 2) first = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                if (line.Contains("\"usage\"", StringComparison.Ordinal)) completion = (int)JsonNode.Parse(line[6..])!["usage"]!["completion_tokens"]!;
            }

            lock (ttft)
            {
                ttft.Add(first);
                tokens += completion;
            }
        }
    })));
    return new Result(tokens / clock.Elapsed.TotalSeconds, ttft);
}

string Arg(string name, string fallback)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

/// <summary>Aggregate generated tokens per second and each request's time to first token in milliseconds.</summary>
internal sealed record Result(double TokensPerSecond, List<double> FirstTokenMs)
{
    public double Ttft(double quantile)
    {
        var sorted = FirstTokenMs.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(quantile * sorted.Length) - 1)];
    }
}
