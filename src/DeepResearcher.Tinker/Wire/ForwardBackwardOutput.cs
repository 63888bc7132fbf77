using System.Text.Json.Serialization;

namespace DeepResearcher.Tinker.Wire;

/// <summary>The result of forward and forward_backward: per-datum outputs (logprobs, elementwise_loss) and metrics (loss:sum). (SDK <c>types/forward_backward_output.py</c>)</summary>
public sealed record ForwardBackwardOutput
{
    [JsonPropertyName("loss_fn_output_type")]
    public string LossFnOutputType { get; init; } = "ArrayRecord";

    [JsonPropertyName("loss_fn_outputs")]
    public IReadOnlyList<Dictionary<string, TensorData>> LossFnOutputs { get; init; } = [];

    [JsonPropertyName("metrics")]
    public Dictionary<string, double> Metrics { get; init; } = new(StringComparer.Ordinal);
}
