using System.Text.Json.Serialization;

namespace DeepResearcher.Tinker.Wire;

/// <summary>The result of optim_step. (SDK <c>types/_pydantic_types/optim_step_response.py</c>)</summary>
public sealed record OptimStepResponse
{
    /// <summary>grad_norm on this project's server.</summary>
    [JsonPropertyName("metrics")]
    public Dictionary<string, double>? Metrics { get; init; }
}
