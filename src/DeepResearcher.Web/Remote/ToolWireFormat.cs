using System.Text.Json;
using System.Text.Json.Nodes;
using DeepResearcher.Core.Agent;
using DeepResearcher.Core.Protocol;
using DeepResearcher.Core.Protocol.Observations;
using DeepResearcher.Core.Trajectories;

namespace DeepResearcher.Web.Remote;

/// <summary>
/// The JSON of the tool server: calls in, structured results out (not rendered text, so a client can render them in
/// either observation format and keep the structure in its trajectories).
/// </summary>
public static class ToolWireFormat
{
    public static JsonObject CallToJson(ToolCall call, ToolContext context) => new()
    {
        ["name"] = call.Name,
        ["arguments"] = call.Arguments.DeepClone(),
        ["query"] = new JsonArray([.. call.Queries.Select(q => (JsonNode)q)]),
        ["url_list"] = new JsonArray([.. call.Urls.Select(u => (JsonNode)u)]),
        ["trajectory_id"] = context.TrajectoryId,
        ["question"] = context.Question,
    };

    /// <summary>Reads a call; <paramref name="name"/> fixes the tool when the endpoint names it.</summary>
    public static (ToolCall Call, ToolContext Context) CallFromJson(JsonObject json, string? name = null)
    {
        string tool = name ?? OptionalString(json["name"], "name") ?? throw new FormatException("the call has no \"name\"");
        string trajectory = OptionalString(json["trajectory_id"], "trajectory_id") ?? throw new FormatException("the call has no \"trajectory_id\" (tool state is kept per trajectory)");
        string question = OptionalString(json["question"], "question") ?? string.Empty;
        var arguments = json["arguments"] as JsonObject ?? [];
        List<string> queries = Strings(json["query"] ?? arguments["query"], "query");
        List<string> urls = Strings(json["url_list"] ?? arguments["url_list"], "url_list");
        if (tool == ResearchTools.WebSearchName && queries.Count == 0)
        {
            throw new FormatException("web_search needs a non-empty \"query\" array");
        }

        if (tool == ResearchTools.BrowseWebpageName && urls.Count == 0)
        {
            throw new FormatException("browse_webpage needs a non-empty \"url_list\" array");
        }

        return (new ToolCall(tool, (JsonObject)arguments.DeepClone()) { Queries = queries, Urls = urls }, new ToolContext(trajectory, question));
    }

    public static JsonObject ResultToJson(ToolResult result, double latencyMs) => new()
    {
        ["observation"] = ObservationToJson(result.Observation),
        ["error"] = result.Error,
        ["cache"] = result.Cache.ToString().ToLowerInvariant(),
        ["latency_ms"] = Math.Round(latencyMs, 3),
    };

    public static ToolResult ResultFromJson(JsonObject json)
    {
        ToolObservation observation = ObservationFromJson(json["observation"] as JsonObject ?? throw new FormatException("the result has no \"observation\""));
        return new ToolResult(observation)
        {
            Error = json["error"]?.GetValue<string>(),
            Cache = Enum.TryParse(json["cache"]?.GetValue<string>(), ignoreCase: true, out CacheStatus cache) ? cache : CacheStatus.None,
        };
    }

    public static JsonObject ObservationToJson(ToolObservation observation) => observation switch
    {
        SearchObservation search => new JsonObject
        {
            ["type"] = "search",
            ["queries"] = new JsonArray([.. search.Queries.Select(q => (JsonNode)new JsonObject
            {
                ["query"] = q.Query,
                ["error"] = q.Error,
                ["hits"] = new JsonArray([.. q.Hits.Select(h => (JsonNode)new JsonObject { ["title"] = h.Title, ["url"] = h.Url, ["snippet"] = h.Snippet })]),
            })]),
        },
        BrowseObservation browse => new JsonObject
        {
            ["type"] = "browse",
            ["pages"] = new JsonArray([.. browse.Pages.Select(p => (JsonNode)new JsonObject
            {
                ["url"] = p.Url,
                ["error"] = p.Error,
                ["information"] = new JsonArray([.. p.Information.Select(i => (JsonNode)new JsonObject { ["page_number"] = i.PageNumber, ["page_summary"] = i.Summary })]),
            })]),
        },
        ToolErrorObservation error => new JsonObject { ["type"] = "error", ["message"] = error.Message },
        TextObservation text => new JsonObject { ["type"] = "text", ["text"] = text.Text },
        _ => throw new ArgumentException($"Unknown observation type {observation.GetType().Name}.", nameof(observation)),
    };

    public static ToolObservation ObservationFromJson(JsonObject json) => json["type"]?.GetValue<string>() switch
    {
        "search" => new SearchObservation([.. Array(json, "queries").Select(q => new QueryResults(
            Text(q, "query"),
            [.. Array(q, "hits").Select(h => new SearchHit(Text(h, "title"), Text(h, "url"), Text(h, "snippet")))],
            q["error"]?.GetValue<string>()))]),
        "browse" => new BrowseObservation([.. Array(json, "pages").Select(p => new PageFindings(
            Text(p, "url"),
            [.. Array(p, "information").Select(i => new PageInformation(i["page_number"]?.GetValue<int>() ?? 0, Text(i, "page_summary")))],
            p["error"]?.GetValue<string>()))]),
        "error" => new ToolErrorObservation(Text(json, "message")),
        "text" => new TextObservation(Text(json, "text")),
        var other => throw new FormatException($"unknown observation type '{other}'"),
    };

    private static List<string> Strings(JsonNode? node, string key)
    {
        if (node is null)
        {
            return [];
        }

        if (node is not JsonArray array)
        {
            throw new FormatException($"\"{key}\" must be an array of strings");
        }

        var values = new List<string>();
        foreach (JsonNode? item in array)
        {
            if (item is not JsonValue value || value.GetValueKind() != JsonValueKind.String)
            {
                throw new FormatException($"every item of \"{key}\" must be a string");
            }

            values.Add(Decoded(value, $"an item of \"{key}\""));
        }

        return values;
    }

    private static string? OptionalString(JsonNode? node, string key)
    {
        if (node is null)
        {
            return null;
        }

        if (node is not JsonValue value || value.GetValueKind() != JsonValueKind.String)
        {
            throw new FormatException($"\"{key}\" must be a string (got {node.GetValueKind().ToString().ToLowerInvariant()})");
        }

        return Decoded(value, $"\"{key}\"");
    }

    /// <summary>The string, or a clear error when it is not valid text (bytes that are not UTF-8, a lone surrogate escape such as \ud800).</summary>
    private static string Decoded(JsonValue value, string what)
    {
        try
        {
            return value.GetValue<string>();
        }
        catch (InvalidOperationException)
        {
            throw new FormatException($"{what} is not valid text (bytes that are not UTF-8, or an unpaired surrogate escape such as \\ud800); send well-formed UTF-8");
        }
    }

    private static IEnumerable<JsonObject> Array(JsonObject json, string key)
        => (json[key] as JsonArray ?? []).OfType<JsonObject>();

    private static string Text(JsonObject json, string key) => json[key]?.GetValue<string>() ?? string.Empty;
}
