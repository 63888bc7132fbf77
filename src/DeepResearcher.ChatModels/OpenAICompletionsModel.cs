using System.Buffers;
using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text.Json;
using DeepResearcher.Core.Agent;

namespace DeepResearcher.ChatModels;

/// <summary>
/// A token-level policy over an OpenAI-compatible <c>POST /v1/completions</c> endpoint with vLLM's token extensions
/// (<c>serve model</c>, vLLM): the agent's exact context goes out as the prompt's token ids, and the sampled ids
/// (<c>return_token_ids</c>, the end-of-turn token included) and their log-probabilities come back, so nothing is
/// re-tokenised and a trajectory is as token-exact as the engine policy's in process. It decodes as the engine policy
/// does: a turn ends at the model's end-of-turn token only, the turn's seed is <see cref="TurnSeed"/>'s, and the
/// trajectory's id is the <c>prompt_cache_key</c>, so the server keeps each trajectory's KV cache between turns.
/// Requests go through the OpenAI SDK's pipeline (its retries on 408/429/5xx honouring <c>Retry-After</c>, timeouts, bearer key).
/// </summary>
public sealed class OpenAICompletionsModel : ITokenLevelChatModel
{
    private static readonly PipelineMessageClassifier Success = PipelineMessageClassifier.Create([200]);

    private readonly OpenAIChatModelOptions _options;
    private readonly ClientPipeline _pipeline;
    private readonly Uri _endpoint;

    /// <param name="tokenizer">The served model's own tokenizer: the ids the agent builds are the server's vocabulary.</param>
    public OpenAICompletionsModel(OpenAIChatModelOptions options, ITextTokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(tokenizer);
        _options = options;
        Tokenizer = tokenizer;
        _pipeline = ClientPipeline.Create(
            new ClientPipelineOptions { RetryPolicy = new ClientRetryPolicy(options.MaxRetries), NetworkTimeout = options.Timeout },
            [ApiKeyAuthenticationPolicy.CreateBearerAuthorizationPolicy(new ApiKeyCredential(options.ResolveApiKey()))],
            [],
            []);
        _endpoint = new Uri(options.BaseUrl.AbsoluteUri.TrimEnd('/') + "/completions");
    }

    public ITextTokenizer Tokenizer { get; }

    public string Name => _options.Model;

    public bool SupportsPrefill => true;

    public async Task<ModelReply> GenerateAsync(GenerationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        IReadOnlyList<int> context = request.ContextTokenIds
            ?? throw new ArgumentException("a token-level policy needs the token context (ResearchAgent provides it for token-level models)", nameof(request));
        using PipelineMessage message = _pipeline.CreateMessage(_endpoint, "POST", Success);
        message.Request.Headers.Set("Content-Type", "application/json");
        message.Request.Content = BinaryContent.Create(BinaryData.FromBytes(Body(request, context)));
        message.Apply(new RequestOptions { CancellationToken = cancellationToken });
        try
        {
            await _pipeline.SendAsync(message);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw new ChatModelException($"{_options.BaseUrl} failed for model '{_options.Model}': {ex.GetType().Name}: {ex.Message}", ex);
        }

        PipelineResponse response = message.Response!;
        if (response.IsError)
        {
            throw new ChatModelException($"{_options.BaseUrl} answered HTTP {response.Status} for model '{_options.Model}': {ErrorMessage(response.Content)}");
        }

        return Read(response.Content);
    }

    private byte[] Body(GenerationRequest request, IReadOnlyList<int> context)
    {
        SamplingOptions sampling = request.Sampling;
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("model", _options.Model);
            json.WriteStartArray("prompt");
            foreach (int id in context)
            {
                json.WriteNumberValue(id);
            }

            json.WriteEndArray();
            json.WriteNumber("max_tokens", Math.Max(1, sampling.MaxTokens));
            json.WriteNumber("temperature", sampling.Temperature);
            json.WriteNumber("top_p", sampling.TopP);
            if (sampling.TopK > 0)
            {
                json.WriteNumber("top_k", sampling.TopK);
            }

            json.WriteNumber("seed", TurnSeed.Derive(sampling.Seed, request.TrajectoryId, context.Count));
            // logprobs 0: each sampled token's own log-probability, no alternatives.
            json.WriteNumber("logprobs", 0);
            json.WriteBoolean("return_token_ids", true);
            if (request.TrajectoryId.Length > 0)
            {
                json.WriteString("prompt_cache_key", request.TrajectoryId);
            }

            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private ModelReply Read(BinaryData content)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(content);
            JsonElement root = document.RootElement;
            JsonElement choice = root.GetProperty("choices")[0];
            if (!choice.TryGetProperty("token_ids", out JsonElement ids) || ids.ValueKind != JsonValueKind.Array)
            {
                throw new ChatModelException($"{_options.BaseUrl} returned no token_ids for model '{_options.Model}'; a token-level policy needs vLLM's return_token_ids (serve model has it)");
            }

            int[] tokenIds = [.. ids.EnumerateArray().Select(e => e.GetInt32())];
            float[]? logProbs = null;
            if (choice.TryGetProperty("logprobs", out JsonElement lp) && lp.ValueKind == JsonValueKind.Object && lp.TryGetProperty("token_logprobs", out JsonElement values))
            {
                logProbs = [.. values.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Number ? e.GetSingle() : float.NaN)];
                if (logProbs.Length != tokenIds.Length)
                {
                    throw new ChatModelException($"{_options.BaseUrl} returned {tokenIds.Length} token ids but {logProbs.Length} log-probabilities for model '{_options.Model}'");
                }
            }

            bool length = choice.TryGetProperty("finish_reason", out JsonElement finish) && finish.ValueKind == JsonValueKind.String && finish.GetString() == "length";
            int promptTokens = 0;
            int completionTokens = tokenIds.Length;
            if (root.TryGetProperty("usage", out JsonElement usage) && usage.ValueKind == JsonValueKind.Object)
            {
                promptTokens = usage.TryGetProperty("prompt_tokens", out JsonElement p) ? p.GetInt32() : 0;
                completionTokens = usage.TryGetProperty("completion_tokens", out JsonElement c) ? c.GetInt32() : completionTokens;
            }

            return new ModelReply
            {
                Text = Tokenizer.Decode(tokenIds),
                TokenIds = tokenIds,
                LogProbs = logProbs,
                FinishReason = length ? FinishReason.Length : FinishReason.Stop,
                PromptTokens = promptTokens,
                CompletionTokens = completionTokens,
            };
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or IndexOutOfRangeException or FormatException)
        {
            throw new ChatModelException($"{_options.BaseUrl} answered model '{_options.Model}' with a completion this client cannot read ({ex.Message})", ex);
        }
    }

    private static string ErrorMessage(BinaryData content)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(content);
            if (document.RootElement.TryGetProperty("error", out JsonElement error) && error.ValueKind == JsonValueKind.Object
                && error.TryGetProperty("message", out JsonElement message) && message.ValueKind == JsonValueKind.String)
            {
                return message.GetString()!;
            }
        }
        catch (JsonException)
        {
        }

        string text = content.ToString();
        return text.Length > 300 ? text[..300] + "…" : text;
    }
}
