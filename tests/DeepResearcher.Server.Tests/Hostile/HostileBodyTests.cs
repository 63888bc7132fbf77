using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using DeepResearcher.Core.Protocol.Observations;
using DeepResearcher.Server.Tools;
using DeepResearcher.Testing;

namespace DeepResearcher.Server.Tests.Hostile;

/// <summary>
/// The tool server under a table of hostile bodies: each gets its status and the error JSON naming the problem, and
/// the server answers <c>/healthz</c> after each.
/// </summary>
public sealed class HostileBodyTests : IAsyncLifetime
{
    private const string Search = "v1/tools/web_search";
    private const string Browse = "v1/tools/browse_webpage";
    private const string Batch = "v1/tools/batch";
    private const string Json = "application/json";

    private static readonly string Valid = Call("\"query\": [\"capital of Freedonia\"]");

    private ToolServer? _server;
    private readonly HttpClient _http = new();

    public async ValueTask InitializeAsync()
    {
        var toolbox = new ScriptedToolbox();
        toolbox.SearchResults["capital of Freedonia"] = [new SearchHit("Freedonia", "https://wiki.example/F", "Freedonia is a country")];
        _server = await ToolServer.StartAsync(toolbox, new ToolServerOptions(), null, TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    public static TheoryData<HostileBody> Bodies()
    {
        var bad = HttpStatusCode.BadRequest;
        var cases = new List<HostileBody>
        {
            // Content types
            Text("text/plain (curl --data-binary -H text/plain)", Search, "text/plain", Valid, HttpStatusCode.UnsupportedMediaType, "Content-Type: application/json"),
            Text("no Content-Type", Search, null, Valid, HttpStatusCode.UnsupportedMediaType, "no Content-Type"),
            Text("form-urlencoded (curl -d)", Search, "application/x-www-form-urlencoded", Valid, HttpStatusCode.UnsupportedMediaType, "application/x-www-form-urlencoded"),
            Text("multipart/form-data", Search, "multipart/form-data; boundary=x", Valid, HttpStatusCode.UnsupportedMediaType, "Content-Type: application/json"),
            Text("application/xml", Search, "application/xml", "<call/>", HttpStatusCode.UnsupportedMediaType, "application/xml"),
            Text("JSON declared as UTF-16", Search, "application/json; charset=utf-16", Valid, HttpStatusCode.UnsupportedMediaType, "must be UTF-8"),
            Text("batch as text/plain", Batch, "text/plain", "{\"calls\": []}", HttpStatusCode.UnsupportedMediaType, "Content-Type: application/json"),

            // Encodings
            new("UTF-16LE bytes declared as JSON", Search, Json, Encoding.Unicode.GetBytes(Valid), bad, "not valid JSON"),
            Bytes("invalid UTF-8 byte 0xFF in a string", "a", [0xFF]),
            Bytes("overlong UTF-8 (0xC0 0xAF)", "a", [0xC0, 0xAF]),
            Bytes("Latin-1 é (0xE9) in a string", "caf", [0xE9]),
            Bytes("truncated UTF-8 sequence", "a", [0xE2, 0x82]),
            new("a UTF-8 byte-order mark before valid JSON", Search, Json, [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(Valid)], HttpStatusCode.OK, "observation"),

            // Duplicate keys
            Text("duplicate trajectory_id", Search, Json, "{\"trajectory_id\": \"a\", \"trajectory_id\": \"b\", \"query\": [\"x\"]}", bad, "trajectory_id"),
            Text("duplicate query", Search, Json, "{\"trajectory_id\": \"a\", \"query\": [\"x\"], \"query\": [\"y\"]}", bad, "query"),
            Text("duplicate key inside arguments", Search, Json, "{\"trajectory_id\": \"a\", \"arguments\": {\"query\": [\"x\"], \"query\": [\"y\"]}}", bad, "query"),
            Text("duplicate key in a batch call", Batch, Json, "{\"calls\": [{\"name\": \"web_search\", \"name\": \"browse_webpage\"}]}", bad, "name"),
            Text("duplicate calls key", Batch, Json, "{\"calls\": [], \"calls\": []}", bad, "calls"),

            // Not a call
            Text("empty body", Search, Json, string.Empty, bad, "empty"),
            Text("whitespace only", Search, Json, "  \n ", bad, "not valid JSON"),
            Text("null", Search, Json, "null", bad, "JSON object (got null)"),
            Text("an array", Search, Json, "[1, 2]", bad, "JSON object (got an array)"),
            Text("a number", Search, Json, "42", bad, "JSON object (got number)"),
            Text("a string", Search, Json, "\"web_search\"", bad, "JSON object (got string)"),
            Text("truncated JSON", Search, Json, Valid[..^3], bad, "not valid JSON"),
            Text("trailing garbage", Search, Json, Valid + " {}", bad, "not valid JSON"),
            Text("a comment", Search, Json, "{ /* hi */ \"trajectory_id\": \"a\", \"query\": [\"x\"]}", bad, "not valid JSON"),
            Text("10,000 nested arrays", Search, Json, "{\"trajectory_id\": \"a\", \"arguments\": " + new string('[', 10_000) + new string(']', 10_000) + "}", bad, "depth"),
            Text("40 nested objects", Search, Json, string.Concat(Enumerable.Repeat("{\"a\":", 40)) + "1" + new string('}', 40), bad, "depth"),
            Text("batch body without calls", Batch, Json, "{\"call\": []}", bad, "{\"calls\""),
            Text("batch calls not an array", Batch, Json, "{\"calls\": {}}", bad, "{\"calls\""),
            Text("batch item not an object", Batch, Json, "{\"calls\": [7]}", bad, "calls[0]: not an object"),
            Text("batch call to an unknown tool", Batch, Json, "{\"calls\": [{\"name\": \"python\", \"trajectory_id\": \"a\"}]}", bad, "unknown tool 'python'"),
            Text("unknown tool", "v1/tools/python", Json, Valid, HttpStatusCode.NotFound, "unknown tool"),
            Text("unknown path", "v2/anything", Json, Valid, HttpStatusCode.NotFound, "no such endpoint"),

            // Wrong types and huge numbers
            Text("trajectory_id a huge number", Search, Json, "{\"trajectory_id\": 1e99999, \"query\": [\"x\"]}", bad, "\"trajectory_id\" must be a string (got number)"),
            Text("question a 40-digit number", Search, Json, "{\"trajectory_id\": \"a\", \"question\": 1234567890123456789012345678901234567890, \"query\": [\"x\"]}", bad, "\"question\" must be a string"),
            Text("a query item 1e400", Search, Json, "{\"trajectory_id\": \"a\", \"query\": [1e400]}", bad, "every item of \"query\" must be a string"),
            Text("trajectory_id an object", Search, Json, "{\"trajectory_id\": {}, \"query\": [\"x\"]}", bad, "must be a string (got object)"),
            Text("query an object", Search, Json, "{\"trajectory_id\": \"a\", \"query\": {\"q\": 1}}", bad, "array of strings"),
            Text("url_list a string", Browse, Json, "{\"trajectory_id\": \"a\", \"url_list\": \"https://x.example\"}", bad, "array of strings"),
            Text("missing trajectory_id", Search, Json, "{\"query\": [\"x\"]}", bad, "no \"trajectory_id\""),
            Text("empty trajectory_id", Search, Json, "{\"trajectory_id\": \"\", \"query\": [\"x\"]}", bad, "1 to 256 characters"),
            Text("empty query list", Search, Json, "{\"trajectory_id\": \"a\", \"query\": []}", bad, "non-empty"),

            // Surrogates
            Text("lone high surrogate in a query", Search, Json, Call("\"query\": [\"a\\ud800b\"]"), bad, "not valid text"),
            Text("lone high surrogate in a key", Search, Json, "{\"\\ud800trajectory_id\": \"a\", \"query\": [\"x\"]}", bad, "not valid text"),
            Text("lone low surrogate in trajectory_id", Search, Json, "{\"trajectory_id\": \"\\udc00\", \"query\": [\"x\"]}", bad, "not valid text"),
            Text("reversed surrogate pair in a URL", Browse, Json, Call("\"url_list\": [\"https://x.example/\\udc00\\ud800\"]"), bad, "not valid text"),
            Text("a valid surrogate pair (emoji) in a query", Search, Json, Call("\"query\": [\"capital \\ud83d\\ude00\"]"), HttpStatusCode.OK, "observation"),

            // Control characters
            Text("a raw control character in a string", Search, Json, Call("\"query\": [\"a\u0001b\"]"), bad, "not valid JSON"),
            Text("an escaped NUL in a query", Search, Json, Call("\"query\": [\"a\\u0000b\"]"), bad, "control character U+0000"),
            Text("an escaped ESC in a URL", Browse, Json, Call("\"url_list\": [\"https://x.example/\\u001b[2J\"]"), bad, "control character U+001B"),
            Text("an escaped BEL in trajectory_id", Search, Json, "{\"trajectory_id\": \"a\\u0007\", \"query\": [\"x\"]}", bad, "control character U+0007"),

            // Oversize strings and arrays
            Text("a query of 1,001 characters", Search, Json, Call($"\"query\": [\"{new string('q', 1001)}\"]"), bad, "query[0] has 1001 characters; at most 1000"),
            Text("300,000 combining acute accents", Search, Json, Call($"\"query\": [\"a{new string('\u0301', 300_000)}\"]"), bad, "query[0] has 300001 characters"),
            Text("4 queries", Search, Json, Call("\"query\": [\"a\", \"b\", \"c\", \"d\"]"), bad, "at most 3 queries per call (got 4)"),
            Text("10,000 queries", Search, Json, Call($"\"query\": [{string.Join(", ", Enumerable.Range(0, 10_000).Select(i => $"\"q{i}\""))}]"), bad, "(got 10000)"),
            Text("11 URLs", Browse, Json, Call($"\"url_list\": [{string.Join(", ", Enumerable.Range(0, 11).Select(i => $"\"https://x.example/{i}\""))}]"), bad, "at most 10 URLs per call (got 11)"),
            Text("a URL of 3,000 characters", Browse, Json, Call($"\"url_list\": [\"https://x.example/{new string('p', 3000)}\"]"), bad, "url_list[0] has 3018 characters; at most 2048"),
            Text("a question of 5,000 characters", Search, Json, $"{{\"trajectory_id\": \"a\", \"question\": \"{new string('w', 5000)}\", \"query\": [\"x\"]}}", bad, "\"question\" has 5000 characters"),
            Text("a trajectory_id of 300 characters", Search, Json, $"{{\"trajectory_id\": \"{new string('t', 300)}\", \"query\": [\"x\"]}}", bad, "1 to 256 characters"),
            Text("a 2 MiB body", Search, Json, $"{{\"trajectory_id\": \"a\", \"question\": \"{new string('w', 2 * 1024 * 1024)}\", \"query\": [\"x\"]}}", HttpStatusCode.RequestEntityTooLarge, "at most 1048576 (--max-body-bytes)"),
            Text("a batch of 1,025 calls", Batch, Json, $"{{\"calls\": [{string.Join(",", Enumerable.Repeat("{}", 1025))}]}}", bad, "at most 1024 calls (got 1025)"),
            Text("a batch call over a cap", Batch, Json, "{\"calls\": [{\"name\": \"web_search\", \"trajectory_id\": \"a\", \"query\": [\"a\", \"b\", \"c\", \"d\"]}]}", bad, "calls[0]: web_search takes at most 3 queries"),
        };
        return [.. cases];
    }

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task Each_hostile_body_gets_its_status_and_error_and_the_server_stays_healthy(HostileBody hostile)
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        var content = new ByteArrayContent(hostile.Body);
        if (hostile.ContentType is not null)
        {
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(hostile.ContentType);
        }

        using HttpResponseMessage response = await _http.PostAsync(new Uri(_server!.BaseUrl, hostile.Path), content, ct);
        string text = await response.Content.ReadAsStringAsync(ct);

        Assert.Equal(hostile.Status, response.StatusCode);
        JsonObject json = Assert.IsType<JsonObject>(JsonNode.Parse(text));
        if (hostile.Status == HttpStatusCode.OK)
        {
            Assert.NotNull(json["observation"]);
        }
        else
        {
            Assert.Contains(hostile.Expected, json["error"]!.GetValue<string>(), StringComparison.Ordinal);
        }

        using HttpResponseMessage health = await _http.GetAsync(new Uri(_server.BaseUrl, "healthz"), ct);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    private static string Call(string fields) => $"{{\"trajectory_id\": \"t1\", \"question\": \"q\", {fields}}}";

    private static HostileBody Text(string name, string path, string? contentType, string body, HttpStatusCode status, string expected)
        => new(name, path, contentType, Encoding.UTF8.GetBytes(body), status, expected);

    /// <summary>A search call whose query holds raw bytes that are not UTF-8.</summary>
    private static HostileBody Bytes(string name, string queryStart, byte[] raw)
    {
        byte[] head = Encoding.UTF8.GetBytes($"{{\"trajectory_id\": \"t1\", \"query\": [\"{queryStart}");
        return new(name, Search, Json, [.. head, .. raw, .. "\"]}"u8.ToArray()], HttpStatusCode.BadRequest, "not valid");
    }
}
