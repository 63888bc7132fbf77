using System.Text.Encodings.Web;
using System.Text.Json;
using DeepResearcher.World.Search;
using Microsoft.AspNetCore.Http;

namespace DeepResearcher.World.Serving;

/// <summary>
/// POST /search in Serper's wire format: JSON body {"q","num","gl","hl"} (or an array of them), header X-API-KEY (any non-empty
/// value). Answers {"searchParameters":{…},"organic":[{"title","link","snippet","position"}],"credits":1} with absolute links
/// under the server's public base (the world's virtual origin by default), never under the address the request came to:
/// the links a policy reads must not depend on the port.
/// </summary>
public static class SerperEndpoint
{
    public const int MaxBodyBytes = 64 * 1024;

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task HandleAsync(HttpContext ctx, WorldSearchIndex index, string linkBase)
    {
        var response = ctx.Response;
        if (!ctx.Request.Headers.TryGetValue("X-API-KEY", out var key) || string.IsNullOrWhiteSpace(key.ToString()))
        {
            await WriteErrorAsync(response, 403, "Unauthorized. Send a non-empty X-API-KEY header.").ConfigureAwait(false);
            return;
        }
        if (ctx.Request.ContentLength > MaxBodyBytes)
        {
            await WriteErrorAsync(response, 413, "Request body too large.").ConfigureAwait(false);
            return;
        }
        JsonDocument doc;
        try
        {
            using var buffer = new MemoryStream();
            await ctx.Request.Body.CopyToAsync(buffer, ctx.RequestAborted).ConfigureAwait(false);
            if (buffer.Length > MaxBodyBytes)
            {
                await WriteErrorAsync(response, 413, "Request body too large.").ConfigureAwait(false);
                return;
            }
            doc = JsonDocument.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
        }
        catch (JsonException ex)
        {
            await WriteErrorAsync(response, 400, "Body is not valid JSON: " + ex.Message).ConfigureAwait(false);
            return;
        }
        using (doc)
        {
            var root = doc.RootElement;
            var requests = new List<(string Q, int Num, string Gl, string Hl)>();
            string? error = null;
            if (root.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in root.EnumerateArray())
                {
                    if (!TryRead(item, out var r, out error)) break;
                    requests.Add(r);
                }
            }
            else if (TryRead(root, out var single, out error))
            {
                requests.Add(single);
            }
            if (error is not null)
            {
                await WriteErrorAsync(response, 400, error).ConfigureAwait(false);
                return;
            }
            response.StatusCode = 200;
            response.ContentType = "application/json; charset=utf-8";
            using var ms = new MemoryStream();
            using (var w = new Utf8JsonWriter(ms, WriterOptions))
            {
                if (root.ValueKind == JsonValueKind.Array) w.WriteStartArray();
                foreach (var (q, num, gl, hl) in requests)
                {
                    WriteResult(w, q, num, gl, hl, index.Search(q, num), linkBase);
                }
                if (root.ValueKind == JsonValueKind.Array) w.WriteEndArray();
            }
            response.ContentLength = ms.Length;
            await response.Body.WriteAsync(ms.GetBuffer().AsMemory(0, (int)ms.Length), ctx.RequestAborted).ConfigureAwait(false);
        }
    }

    private static bool TryRead(JsonElement el, out (string Q, int Num, string Gl, string Hl) request, out string? error)
    {
        request = default;
        error = null;
        if (el.ValueKind != JsonValueKind.Object || !el.TryGetProperty("q", out var q) || q.ValueKind != JsonValueKind.String)
        {
            error = "Each request needs a string field \"q\".";
            return false;
        }
        int num = 10;
        if (el.TryGetProperty("num", out var n))
        {
            if (n.ValueKind == JsonValueKind.Number && n.TryGetInt32(out int v))
            {
                num = v;
            }
            else if (n.ValueKind == JsonValueKind.String && int.TryParse(n.GetString(), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int s))
            {
                num = s;
            }
            else
            {
                error = "Field \"num\" must be an integer.";
                return false;
            }
        }
        num = Math.Clamp(num, 1, WorldSearchIndex.MaxResults);
        string gl = el.TryGetProperty("gl", out var g) && g.ValueKind == JsonValueKind.String ? g.GetString()! : "us";
        string hl = el.TryGetProperty("hl", out var h) && h.ValueKind == JsonValueKind.String ? h.GetString()! : "en";
        request = (q.GetString()!, num, gl, hl);
        return true;
    }

    private static void WriteResult(Utf8JsonWriter w, string q, int num, string gl, string hl, IReadOnlyList<WorldIndexHit> results, string baseUrl)
    {
        w.WriteStartObject();
        w.WriteStartObject("searchParameters");
        w.WriteString("q", q);
        w.WriteString("gl", gl);
        w.WriteString("hl", hl);
        w.WriteString("type", "search");
        w.WriteNumber("num", num);
        w.WriteString("engine", "google");
        w.WriteEndObject();
        w.WriteStartArray("organic");
        for (int i = 0; i < results.Count; i++)
        {
            w.WriteStartObject();
            w.WriteString("title", results[i].Title);
            w.WriteString("link", baseUrl + results[i].Url);
            w.WriteString("snippet", results[i].Snippet);
            w.WriteNumber("position", i + 1);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteNumber("credits", 1);
        w.WriteEndObject();
    }

    private static async Task WriteErrorAsync(HttpResponse response, int status, string message)
    {
        response.StatusCode = status;
        response.ContentType = "application/json; charset=utf-8";
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("message", message);
            w.WriteNumber("statusCode", status);
            w.WriteEndObject();
        }
        await response.Body.WriteAsync(ms.ToArray()).ConfigureAwait(false);
    }
}
