using System.Text.Json.Serialization;

namespace DeepResearcher.Tinker.Wire;

/// <summary>The data and the named loss of a forward or forward_backward. (SDK <c>types/forward_backward_input.py</c>)</summary>
public sealed record ForwardBackwardInput
{
    [JsonPropertyName("data")]
    public IReadOnlyList<Datum> Data { get; init; } = [];

    /// <summary>cross_entropy, importance_sampling, ppo (the SDK's LossFnType also names cispo and dro).</summary>
    [JsonPropertyName("loss_fn")]
    public string LossFn { get; init; } = "";

    /// <summary>ppo's clip_low_threshold and clip_high_threshold (ratio bounds, 0.8 and 1.2 by default).</summary>
    [JsonPropertyName("loss_fn_config")]
    public Dictionary<string, double>? LossFnConfig { get; init; }
}
