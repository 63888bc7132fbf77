using System.Text.Json.Serialization;

namespace DeepResearcher.Tinker.Wire;

/// <summary>POST /api/v1/create_model: a training run over a base model; a future of CreateModelResponse. (SDK <c>types/create_model_request.py</c>)</summary>
public sealed record CreateModelRequest
{
    [JsonPropertyName("session_id")]
    public string SessionId { get; init; } = "";

    /// <summary>The client's counter of models in its session; with the session it names the model, so a retried create makes one model.</summary>
    [JsonPropertyName("model_seq_id")]
    public int ModelSeqId { get; init; } = 0;

    [JsonPropertyName("base_model")]
    public string BaseModel { get; init; } = "";

    [JsonPropertyName("user_metadata")]
    public Dictionary<string, string>? UserMetadata { get; init; }

    [JsonPropertyName("lora_config")]
    public LoraConfig? LoraConfig { get; init; }

    [JsonPropertyName("type")]
    public string Type { get; init; } = "create_model";
}
