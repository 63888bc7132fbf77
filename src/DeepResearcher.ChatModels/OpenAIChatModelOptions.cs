namespace DeepResearcher.ChatModels;

/// <summary>
/// Where and how to call an OpenAI-compatible chat endpoint (vLLM, SGLang, llama.cpp server, Ollama, hosted APIs).
/// The API key is read from <see cref="ApiKeyEnvironmentVariable"/> unless given; it is never logged or printed.
/// </summary>
public sealed class OpenAIChatModelOptions
{
    /// <summary>The API base, e.g. <c>http://127.0.0.1:8000/v1</c>.</summary>
    public required Uri BaseUrl { get; init; }

    public required string Model { get; init; }

    /// <summary>An explicit key; when null the environment variable is read, and local servers get a placeholder.</summary>
    public string? ApiKey { get; init; }

    public string ApiKeyEnvironmentVariable { get; init; } = "OPENAI_API_KEY";

    /// <summary>Per-attempt network timeout.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Retries on 408/429/5xx and network errors, with exponential backoff that honours <c>Retry-After</c>.</summary>
    public int MaxRetries { get; init; } = 4;

    /// <summary>
    /// Continue a started assistant turn (the <c>&lt;think&gt;</c> prefill) with vLLM's <c>continue_final_message</c>.
    /// Off by default because other servers reject or ignore the field.
    /// </summary>
    public bool ContinueFinalMessage { get; init; }

    internal string ResolveApiKey()
    {
        if (!string.IsNullOrEmpty(ApiKey))
        {
            return ApiKey;
        }

        string? fromEnvironment = Environment.GetEnvironmentVariable(ApiKeyEnvironmentVariable);
        // Local servers (vLLM, llama.cpp) accept any key, but the SDK requires a non-empty one.
        return string.IsNullOrEmpty(fromEnvironment) ? "EMPTY" : fromEnvironment;
    }
}
