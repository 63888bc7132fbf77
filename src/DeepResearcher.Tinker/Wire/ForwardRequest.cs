using System.Text.Json.Serialization;

namespace DeepResearcher.Tinker.Wire;

/// <summary>POST /api/v1/forward: the loss and log-probs without gradients. (SDK <c>types/forward_request.py</c>)</summary>
public sealed record ForwardRequest
{
    [JsonPropertyName("forward_input")]
    public ForwardBackwardInput ForwardInput { get; init; } = new();

    [JsonPropertyName("model_id")]
    public string ModelId { get; init; } = "";

    [JsonPropertyName("seq_id")]
    public int? SeqId { get; init; }
}
