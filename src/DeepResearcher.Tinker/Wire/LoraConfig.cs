using System.Text.Json.Serialization;

namespace DeepResearcher.Tinker.Wire;

/// <summary>The adapter create_model trains; rank 0 on this project's server trains the full weights. (SDK <c>types/lora_config.py</c>)</summary>
public sealed record LoraConfig
{
    [JsonPropertyName("rank")]
    public int Rank { get; init; } = 0;

    /// <summary>Seed of the adapters' initialisation; the server picks (and records) one when absent.</summary>
    [JsonPropertyName("seed")]
    public long? Seed { get; init; }

    [JsonPropertyName("train_unembed")]
    public bool TrainUnembed { get; init; } = true;

    [JsonPropertyName("train_mlp")]
    public bool TrainMlp { get; init; } = true;

    [JsonPropertyName("train_attn")]
    public bool TrainAttn { get; init; } = true;
}
