using System.Text.Json.Serialization;

namespace DeepResearcher.Tinker.Wire;

/// <summary>Where a checkpoint's archive downloads from (the SDK also takes a 302 with Location and Expires). (SDK <c>types/checkpoint_archive_url_response.py</c>)</summary>
public sealed record CheckpointArchiveUrlResponse
{
    [JsonPropertyName("url")]
    public string Url { get; init; } = "";

    [JsonPropertyName("expires")]
    public DateTimeOffset Expires { get; init; } = default;
}
