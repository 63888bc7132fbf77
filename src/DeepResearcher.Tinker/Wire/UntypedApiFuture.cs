using System.Text.Json.Serialization;

namespace DeepResearcher.Tinker.Wire;

/// <summary>What every asynchronous route answers at once: the request id to retrieve_future with. (SDK <c>types/shared/untyped_api_future.py</c>)</summary>
public sealed record UntypedApiFuture
{
    [JsonPropertyName("request_id")]
    public string RequestId { get; init; } = "";

    [JsonPropertyName("model_id")]
    public string? ModelId { get; init; }
}
