namespace DeepResearcher.Testing;

/// <summary>One scripted answer of <see cref="ScriptedOpenAIServer"/>: a completion, or an HTTP error.</summary>
public sealed record ScriptedReply
{
    public string Content { get; init; } = string.Empty;

    /// <summary>"stop" or "length".</summary>
    public string FinishReason { get; init; } = "stop";

    public int Status { get; init; } = 200;

    /// <summary>Sent verbatim instead of a completion (error bodies, malformed JSON).</summary>
    public string? RawBody { get; init; }

    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    public TimeSpan Delay { get; init; }

    /// <summary>Computes the content from the request (e.g. to pick a URL out of the last observation).</summary>
    public Func<System.Text.Json.Nodes.JsonObject, string>? Compute { get; init; }

    public static ScriptedReply From(Func<System.Text.Json.Nodes.JsonObject, string> compute) => new() { Compute = compute };

    public static ScriptedReply Text(string content, string finishReason = "stop") => new() { Content = content, FinishReason = finishReason };

    public static ScriptedReply Error(int status, string message, string? retryAfterSeconds = null) => new()
    {
        Status = status,
        RawBody = new System.Text.Json.Nodes.JsonObject
        {
            ["error"] = new System.Text.Json.Nodes.JsonObject { ["message"] = message, ["type"] = "server_error", ["code"] = status },
        }.ToJsonString(),
        Headers = retryAfterSeconds is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["Retry-After"] = retryAfterSeconds },
    };
}
