using System.Text.Json.Nodes;

namespace DeepResearcher.Web.Tests.Fakes;

/// <summary>What a fake provider server answers to one request.</summary>
public sealed record FakeReply(int Status, string Body, IReadOnlyDictionary<string, string>? Headers = null, TimeSpan Delay = default, string ContentType = "application/json")
{
    public static FakeReply Json(JsonNode body, int status = 200) => new(status, body.ToJsonString());

    public static FakeReply Raw(int status, string body, string contentType = "application/json") => new(status, body, ContentType: contentType);

    public static FakeReply RateLimited(string retryAfter, JsonNode? body = null) =>
        new(429, body?.ToJsonString() ?? """{"message":"Too many requests"}""", new Dictionary<string, string> { ["Retry-After"] = retryAfter });

    public FakeReply After(TimeSpan delay) => this with { Delay = delay };
}
