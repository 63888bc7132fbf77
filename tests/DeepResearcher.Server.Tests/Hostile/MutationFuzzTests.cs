using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using DeepResearcher.Core.Protocol.Observations;
using DeepResearcher.Server.Tools;
using DeepResearcher.Testing;

namespace DeepResearcher.Server.Tests.Hostile;

/// <summary>Random byte- and structure-level mutations of valid calls (fixed seed): never an empty 500, never a dead server.</summary>
public sealed class MutationFuzzTests
{
    private const int Mutations = 2000;

    private static readonly string[] Seeds =
    [
        "{\"trajectory_id\": \"t1\", \"question\": \"What is the capital of Freedonia?\", \"query\": [\"capital of Freedonia\", \"Freedonia\"]}",
        "{\"trajectory_id\": \"t2\", \"question\": \"q\", \"url_list\": [\"https://wiki.example/F\"]}",
        "{\"trajectory_id\": \"t3\", \"arguments\": {\"query\": [\"capital of Freedonia\"]}}",
        "{\"calls\": [{\"name\": \"web_search\", \"trajectory_id\": \"t4\", \"query\": [\"x\"]}, {\"name\": \"browse_webpage\", \"trajectory_id\": \"t5\", \"url_list\": [\"https://wiki.example/F\"]}]}",
    ];

    private static readonly string[] Paths = ["v1/tools/web_search", "v1/tools/browse_webpage", "v1/tools/web_search", "v1/tools/batch"];

    private static readonly string[] Splices =
    [
        "{", "}", "[", "]", "\"", ",", ":", "null", "1e99999", "-0", "\\ud800", "\\u0000", "\u0301\u0301\u0301", "\"trajectory_id\": \"dup\"",
        new string('[', 200), "\"query\": [\"a\", \"b\", \"c\", \"d\"]", "\\", "true", "\uFFFF", "\U0001F600",
    ];

    [Fact]
    public async Task Thousands_of_mutated_calls_never_get_an_empty_500_and_the_server_stays_up()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        var toolbox = new ScriptedToolbox();
        toolbox.SearchResults["capital of Freedonia"] = [new SearchHit("Freedonia", "https://wiki.example/F", "Freedonia is a country")];
        toolbox.Pages["https://wiki.example/F"] = "Fredville is the capital.";
        await using ToolServer server = await ToolServer.StartAsync(toolbox, new ToolServerOptions(), null, ct);
        using var http = new HttpClient();
        var random = new Random(20261203);
        var statuses = new Dictionary<int, int>();

        for (int i = 0; i < Mutations; i++)
        {
            int seed = random.Next(Seeds.Length);
            byte[] body = Mutate(Encoding.UTF8.GetBytes(Seeds[seed]), random);
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(random.Next(20) == 0 ? "text/plain" : "application/json");
            using HttpResponseMessage response = await http.PostAsync(new Uri(server.BaseUrl, Paths[seed]), content, ct);
            string text = await response.Content.ReadAsStringAsync(ct);
            int status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;

            Assert.True(status is 200 or 400 or 404 or 413 or 415, $"mutation {i} to {Paths[seed]} got {status}: {text}; body {Convert.ToHexString(body)}");
            JsonObject json = Assert.IsType<JsonObject>(JsonNode.Parse(text));
            Assert.True(status == 200 ? json["observation"] is not null || json["results"] is not null : json["error"] is JsonValue, $"mutation {i}: {text}");
            if (i % 100 == 0)
            {
                Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(server.BaseUrl, "healthz"), ct)).StatusCode);
            }
        }

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(server.BaseUrl, "healthz"), ct)).StatusCode);
        // The mutations reach both sides: some calls still parse and run, most are refused.
        Assert.True(statuses.GetValueOrDefault(200) > 50, string.Join(", ", statuses));
        Assert.True(statuses.GetValueOrDefault(400) > 500, string.Join(", ", statuses));
    }

    private static byte[] Mutate(byte[] body, Random random)
    {
        var bytes = new List<byte>(body);
        int edits = 1 + random.Next(3);
        for (int e = 0; e < edits; e++)
        {
            int at = random.Next(bytes.Count + 1);
            switch (random.Next(6))
            {
                case 0 when bytes.Count > 0:
                    bytes.RemoveAt(Math.Min(at, bytes.Count - 1));
                    break;
                case 1 when bytes.Count > 0:
                    bytes[Math.Min(at, bytes.Count - 1)] = (byte)random.Next(256);
                    break;
                case 2:
                    bytes.InsertRange(at, Encoding.UTF8.GetBytes(Splices[random.Next(Splices.Length)]));
                    break;
                case 3 when bytes.Count > 1:
                    int from = random.Next(bytes.Count);
                    int length = Math.Min(random.Next(1, 40), bytes.Count - from);
                    bytes.InsertRange(at, bytes.GetRange(from, length));
                    break;
                case 4:
                    bytes.Insert(at, (byte)random.Next(0x20));
                    break;
                default:
                    bytes.RemoveRange(at, Math.Min(random.Next(1, 10), bytes.Count - at));
                    break;
            }
        }

        return [.. bytes];
    }
}
