using System.Text.Json.Serialization;

namespace DeepResearcher.Tinker.Wire;

/// <summary>One training example: the model input and its loss_fn_inputs (target_tokens, weights, logprobs, advantages, ...), each per target position. (SDK <c>types/_pydantic_types/datum.py</c>)</summary>
public sealed record Datum
{
    [JsonPropertyName("loss_fn_inputs")]
    public Dictionary<string, TensorData> LossFnInputs { get; init; } = new(StringComparer.Ordinal);

    [JsonPropertyName("model_input")]
    public ModelInput ModelInput { get; init; } = new();
}
