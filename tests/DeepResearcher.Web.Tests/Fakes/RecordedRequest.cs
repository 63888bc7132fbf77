using System.Text.Json.Nodes;

namespace DeepResearcher.Web.Tests.Fakes;

/// <summary>One request a fake provider server received, copied out of Kestrel's reusable objects.</summary>
public sealed record RecordedRequest(
    string Method,
    string Path,
    IReadOnlyDictionary<string, string> Query,
    IReadOnlyDictionary<string, string> Headers,
    string Body)
{
    public JsonObject Json => JsonNode.Parse(Body) as JsonObject ?? throw new InvalidOperationException($"the {Method} {Path} body is not a JSON object: {Body}");

    public string? Header(string name) => Headers.TryGetValue(name, out string? value) ? value : null;
}
