using System.Text.Json.Serialization;

namespace DeepResearcher.Tinker.Wire;

/// <summary>POST /api/v1/retrieve_future. (SDK <c>types/future_retrieve_request.py</c>)</summary>
public sealed record FutureRetrieveRequest
{
    [JsonPropertyName("request_id")]
    public string RequestId { get; init; } = "";

    [JsonPropertyName("allow_metadata_only")]
    public bool AllowMetadataOnly { get; init; } = false;
}
