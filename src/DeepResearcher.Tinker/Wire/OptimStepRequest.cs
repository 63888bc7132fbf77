using System.Text.Json.Serialization;

namespace DeepResearcher.Tinker.Wire;

/// <summary>POST /api/v1/optim_step: apply and clear the accumulated gradients. (SDK <c>types/optim_step_request.py</c>)</summary>
public sealed record OptimStepRequest
{
    [JsonPropertyName("adam_params")]
    public AdamParamsWire AdamParams { get; init; } = new();

    [JsonPropertyName("model_id")]
    public string ModelId { get; init; } = "";

    [JsonPropertyName("seq_id")]
    public int? SeqId { get; init; }

    [JsonPropertyName("type")]
    public string Type { get; init; } = "optim_step";
}
