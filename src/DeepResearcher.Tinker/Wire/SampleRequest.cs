using System.Text.Json.Serialization;

namespace DeepResearcher.Tinker.Wire;

/// <summary>POST /api/v1/asample: num_samples continuations of a prompt; a future of SampleResponse. (SDK <c>types/sample_request.py</c>)</summary>
public sealed record SampleRequest
{
    [JsonPropertyName("num_samples")]
    public int NumSamples { get; init; } = 1;

    [JsonPropertyName("prompt")]
    public ModelInput Prompt { get; init; } = new();

    [JsonPropertyName("sampling_params")]
    public SamplingParams SamplingParams { get; init; } = new();

    [JsonPropertyName("base_model")]
    public string? BaseModel { get; init; }

    [JsonPropertyName("model_path")]
    public string? ModelPath { get; init; }

    [JsonPropertyName("sampling_session_id")]
    public string? SamplingSessionId { get; init; }

    [JsonPropertyName("seq_id")]
    public int? SeqId { get; init; }

    [JsonPropertyName("prompt_logprobs")]
    public bool? PromptLogprobs { get; init; }

    [JsonPropertyName("topk_prompt_logprobs")]
    public int TopkPromptLogprobs { get; init; } = 0;

    [JsonPropertyName("type")]
    public string Type { get; init; } = "sample";
}
