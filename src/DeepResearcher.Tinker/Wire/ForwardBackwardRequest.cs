using System.Text.Json.Serialization;

namespace DeepResearcher.Tinker.Wire;

/// <summary>POST /api/v1/forward_backward (JSON path): gradients accumulate until optim_step. (SDK <c>types/forward_backward_request.py</c>)</summary>
public sealed record ForwardBackwardRequest
{
    [JsonPropertyName("forward_backward_input")]
    public ForwardBackwardInput ForwardBackwardInput { get; init; } = new();

    [JsonPropertyName("model_id")]
    public string ModelId { get; init; } = "";

    /// <summary>The training client's request counter + 1: the server applies each (model, seq_id) once.</summary>
    [JsonPropertyName("seq_id")]
    public int? SeqId { get; init; }
}
