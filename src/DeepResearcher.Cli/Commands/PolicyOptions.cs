using System.CommandLine;
using DeepResearcher.Core.Protocol.Observations;

namespace DeepResearcher.Cli.Commands;

/// <summary>
/// The options of a served policy and of the agent loop around it that <c>research</c> and <c>eval run</c> share:
/// declared once, so both commands spell and describe them the same way.
/// </summary>
internal sealed class PolicyOptions
{
    public Option<string?> ModelUrl { get; } = new("--model-url") { Description = "Policy: base URL of an OpenAI-compatible endpoint (vLLM, SGLang, llama.cpp, Ollama, a hosted API), e.g. http://127.0.0.1:8000/v1." };

    public Option<string?> Model { get; } = new("--model") { Description = "Policy: the model's name at that endpoint." };

    public Option<string> ApiKeyEnv { get; } = new("--api-key-env") { Description = "Environment variable holding the policy's API key (never printed).", DefaultValueFactory = _ => "OPENAI_API_KEY" };

    public Option<int> MaxTurns { get; } = new("--max-turns") { Description = "Generation rounds, the final answer included.", DefaultValueFactory = _ => 10 };

    public Option<int> MaxTokens { get; } = new("--max-tokens") { Description = "Token limit per turn.", DefaultValueFactory = _ => 2000 };

    public Option<int> MaxContext { get; } = new("--max-context") { Description = "The model's context window in tokens.", DefaultValueFactory = _ => 32768 };

    public Option<float> TopP { get; } = new("--top-p") { Description = "Nucleus sampling threshold.", DefaultValueFactory = _ => 1.0f };

    public Option<string> Template { get; } = new("--template") { Description = "Chat template of the model: qwen2.5 or llama3.", DefaultValueFactory = _ => "qwen2.5" };

    public Option<ObservationFormat> ObservationFormat { get; } = new("--observation-format") { Description = "How tool output is shown to the model: Paper (the original's Python-style lists) or Json.", DefaultValueFactory = _ => Core.Protocol.Observations.ObservationFormat.Paper };

    public Option<bool> Prefill { get; } = new("--prefill") { Description = "Start every turn with <think> through vLLM's continue_final_message (as the original did)." };

    public Option<double> Timeout { get; } = new("--timeout") { Description = "Seconds per model request attempt.", DefaultValueFactory = _ => 120 };

    public Option<int> Retries { get; } = new("--retries") { Description = "Retries per model request on 408/429/5xx and network errors, with backoff that honours Retry-After.", DefaultValueFactory = _ => 4 };
}
