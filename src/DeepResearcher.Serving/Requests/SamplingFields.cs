using System.Text.Json;
using System.Text.Json.Nodes;

namespace DeepResearcher.Serving.Requests;

/// <summary>
/// The sampling fields chat and text completions share, as read from the request, before the model's context and the
/// server's caps turn them into the engine's options (<see cref="Generation.SamplingPlan"/>).
/// </summary>
public sealed record SamplingFields
{
    /// <summary>Fields whose non-default values the engine cannot honour: a 400 rather than a silent difference.</summary>
    private static readonly string[] UnsupportedWhenSet = ["frequency_penalty", "presence_penalty", "logit_bias", "min_p", "best_of", "suffix", "prompt_logprobs"];

    public float Temperature { get; init; } = 1f;

    public float TopP { get; init; } = 1f;

    public int TopK { get; init; }

    public int? Seed { get; init; }

    /// <summary>Null: as many as the context and the cap allow.</summary>
    public int? MaxTokens { get; init; }

    public IReadOnlyList<string> Stop { get; init; } = [];

    public IReadOnlyList<int> StopTokenIds { get; init; } = [];

    public int N { get; init; } = 1;

    public bool LogProbs { get; init; }

    public int TopLogProbs { get; init; }

    /// <summary>vLLM: do not stop at the end-of-turn token.</summary>
    public bool IgnoreEos { get; init; }

    /// <summary>vLLM: keep the matched stop string in the returned text.</summary>
    public bool IncludeStopStringInOutput { get; init; }

    /// <summary>vLLM: return the prompt's and each choice's token ids.</summary>
    public bool ReturnTokenIds { get; init; }

    /// <summary>vLLM: logprob entries name tokens as <c>token_id:{id}</c>, so ids survive tokens that are not valid UTF-8.</summary>
    public bool ReturnTokensAsTokenIds { get; init; }

    /// <summary>OpenAI's <c>prompt_cache_key</c>: requests with the same key share the key's KV cache when their prompts share a prefix.</summary>
    public string? PromptCacheKey { get; init; }

    /// <param name="chat">Chat reads <c>logprobs</c> as a flag with <c>top_logprobs</c>; text completions read it as the number of alternatives.</param>
    public static SamplingFields Read(JsonObject body, ServingOptions limits, bool chat)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(limits);
        foreach (string name in UnsupportedWhenSet)
        {
            JsonNode? node = body[name];
            bool isDefault = node is null || (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && JsonFields.AsDouble(v) is var d && (d == 0 || (name == "best_of" && d == 1)))
                || (node is JsonObject o && o.Count == 0);
            if (!isDefault)
            {
                throw ServingException.BadRequest($"'{name}' is not supported by this server (the engine samples with temperature, top_p, top_k and seed only); leave it out", name, "unsupported_parameter");
            }
        }

        if (JsonFields.Number(body, "repetition_penalty") is { } repetition && repetition != 1)
        {
            throw ServingException.BadRequest("'repetition_penalty' is not supported by this server; leave it out or set it to 1", "repetition_penalty", "unsupported_parameter");
        }

        double temperature = JsonFields.Number(body, "temperature") ?? 1;
        if (!(temperature >= 0) || double.IsInfinity(temperature))
        {
            throw ServingException.BadRequest($"'temperature' must be ≥ 0, got {temperature}", "temperature");
        }
        double topP = JsonFields.Number(body, "top_p") ?? 1;
        if (!(topP > 0 && topP <= 1))
        {
            throw ServingException.BadRequest($"'top_p' must be in (0, 1], got {topP}", "top_p");
        }
        int topK = JsonFields.Integer(body, "top_k") ?? 0;
        if (topK < -1)
        {
            throw ServingException.BadRequest($"'top_k' must be ≥ 1, or 0 or -1 to disable it; got {topK}", "top_k");
        }

        string maxTokensName = chat && !JsonFields.IsAbsent(body, "max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
        int? maxTokens = JsonFields.Integer(body, maxTokensName);
        if (maxTokens is < 1)
        {
            throw ServingException.BadRequest($"'{maxTokensName}' must be at least 1, got {maxTokens}", maxTokensName);
        }
        if (maxTokens > limits.MaxTokensCap)
        {
            throw ServingException.BadRequest($"'{maxTokensName}' is {maxTokens}, over this server's cap of {limits.MaxTokensCap}; ask for fewer (the cap is serve model's --max-tokens-cap)", maxTokensName);
        }

        int n = JsonFields.Integer(body, "n") ?? 1;
        if (n < 1)
        {
            throw ServingException.BadRequest($"'n' must be at least 1, got {n}", "n");
        }
        if (n > limits.MaxChoices)
        {
            throw ServingException.BadRequest($"'n' is {n}, over this server's cap of {limits.MaxChoices} choices per request", "n");
        }

        IReadOnlyList<string> stop = JsonFields.StringOrStrings(body, "stop") ?? [];
        if (stop.Any(s => s.Length == 0))
        {
            throw ServingException.BadRequest("'stop' strings must not be empty", "stop");
        }
        IReadOnlyList<int> stopIds = JsonFields.Integers(body, "stop_token_ids") ?? [];

        bool logProbs;
        int top;
        if (chat)
        {
            logProbs = JsonFields.Bool(body, "logprobs") ?? false;
            top = JsonFields.Integer(body, "top_logprobs") ?? 0;
            if (top > 0 && !logProbs)
            {
                throw ServingException.BadRequest("'top_logprobs' needs 'logprobs': true", "top_logprobs");
            }
        }
        else
        {
            int? count = JsonFields.Integer(body, "logprobs");
            logProbs = count is not null;
            top = count ?? 0;
        }

        string topName = chat ? "top_logprobs" : "logprobs";
        if (top < 0 || top > limits.MaxTopLogProbs)
        {
            throw ServingException.BadRequest($"'{topName}' must be between 0 and {limits.MaxTopLogProbs}, got {top}", topName);
        }

        return new SamplingFields
        {
            Temperature = (float)temperature,
            TopP = (float)topP,
            TopK = Math.Max(0, topK),
            Seed = JsonFields.Integer(body, "seed"),
            MaxTokens = maxTokens,
            Stop = stop,
            StopTokenIds = stopIds,
            N = n,
            LogProbs = logProbs,
            TopLogProbs = top,
            IgnoreEos = JsonFields.Bool(body, "ignore_eos") ?? false,
            IncludeStopStringInOutput = JsonFields.Bool(body, "include_stop_str_in_output") ?? false,
            ReturnTokenIds = JsonFields.Bool(body, "return_token_ids") ?? false,
            ReturnTokensAsTokenIds = JsonFields.Bool(body, "return_tokens_as_token_ids") ?? false,
            PromptCacheKey = JsonFields.String(body, "prompt_cache_key"),
        };
    }
}
