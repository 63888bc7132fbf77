using System.Text.Json.Serialization;

namespace DeepResearcher.Tinker.Wire;

/// <summary>Adam's settings as optim_step sends them; the defaults are the SDK's. (SDK <c>types/optim_step_request.py</c>)</summary>
public sealed record AdamParamsWire
{
    [JsonPropertyName("learning_rate")]
    public double LearningRate { get; init; } = 1e-4;

    [JsonPropertyName("beta1")]
    public double Beta1 { get; init; } = 0.9;

    [JsonPropertyName("beta2")]
    public double Beta2 { get; init; } = 0.95;

    [JsonPropertyName("eps")]
    public double Eps { get; init; } = 1e-12;

    /// <summary>Decoupled weight decay.</summary>
    [JsonPropertyName("weight_decay")]
    public double WeightDecay { get; init; } = 0.0;

    /// <summary>The most the global gradient norm may be; 0 clips nothing.</summary>
    [JsonPropertyName("grad_clip_norm")]
    public double GradClipNorm { get; init; } = 0.0;
}
