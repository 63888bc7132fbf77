using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text;
using DeepResearcher.Core.Agent;
using OpenAI;
using OpenAI.Chat;
using CoreMessage = DeepResearcher.Core.Protocol.ChatMessage;
using CoreRole = DeepResearcher.Core.Protocol.ChatRole;

namespace DeepResearcher.ChatModels;

/// <summary>
/// <see cref="IChatModel"/> on the official OpenAI .NET SDK, for any OpenAI-compatible chat endpoint. The tools block
/// travels inside the system message and tool responses as user messages (see <see cref="GenerationRequest"/>), so a
/// Qwen2.5 server renders exactly the original's prompt and no server-side tool parser gets in the way.
/// </summary>
public sealed class OpenAIChatModel : IChatModel
{
    private const int MaxStopSequences = 4; // the OpenAI API's limit

    private readonly OpenAIChatModelOptions _options;
    private readonly ChatClient _client;

    public OpenAIChatModel(OpenAIChatModelOptions options)
    {
        _options = options;
        var clientOptions = new OpenAIClientOptions
        {
            Endpoint = options.BaseUrl,
            NetworkTimeout = options.Timeout,
            RetryPolicy = new ClientRetryPolicy(options.MaxRetries),
        };
        _client = new ChatClient(options.Model, new ApiKeyCredential(options.ResolveApiKey()), clientOptions);
    }

    public string Name => _options.Model;

    public bool SupportsPrefill => _options.ContinueFinalMessage;

    public async Task<ModelReply> GenerateAsync(GenerationRequest request, CancellationToken cancellationToken)
    {
        var messages = new List<OpenAI.Chat.ChatMessage>(request.Messages.Count + 1);
        foreach (CoreMessage message in request.Messages)
        {
            messages.Add(message.Role switch
            {
                CoreRole.System => new SystemChatMessage(message.Content),
                CoreRole.Assistant => new AssistantChatMessage(message.Content),
                _ => new UserChatMessage(message.Content),
            });
        }

        bool prefill = SupportsPrefill && request.Prefill.Length > 0;
        if (prefill)
        {
            messages.Add(new AssistantChatMessage(request.Prefill));
        }

        SamplingOptions sampling = request.Sampling;
        var options = new ChatCompletionOptions
        {
            Temperature = sampling.Temperature,
            TopP = sampling.TopP,
            MaxOutputTokenCount = sampling.MaxTokens,
        };
        foreach (string stop in sampling.StopSequences.Take(MaxStopSequences))
        {
            options.StopSequences.Add(stop);
        }

#pragma warning disable OPENAI001, SCME0001 // Seed and the raw-body patch are marked experimental in the SDK.
        if (sampling.Seed is { } seed)
        {
            options.Seed = seed;
        }

        if (sampling.TopK > 0)
        {
            options.Patch.Set("$.top_k"u8, sampling.TopK);
        }

        if (prefill)
        {
            options.Patch.Set("$.continue_final_message"u8, true);
            options.Patch.Set("$.add_generation_prompt"u8, false);
        }
#pragma warning restore OPENAI001, SCME0001

        ChatCompletion completion;
        try
        {
            ClientResult<ChatCompletion> result = await _client.CompleteChatAsync(messages, options, cancellationToken);
            completion = result.Value;
        }
        catch (ClientResultException ex)
        {
            throw new ChatModelException($"{_options.BaseUrl} answered HTTP {ex.Status} for model '{_options.Model}': {FirstLine(ex.Message)}", ex);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Network failures, timeouts and unreadable bodies: name the endpoint, keep the cause.
            throw new ChatModelException($"{_options.BaseUrl} failed for model '{_options.Model}': {ex.GetType().Name}: {FirstLine(ex.Message)}", ex);
        }

        var text = new StringBuilder();
        foreach (ChatMessageContentPart part in completion.Content)
        {
            if (part.Kind == ChatMessageContentPartKind.Text)
            {
                text.Append(part.Text);
            }
        }

        FinishReason finish = completion.FinishReason == ChatFinishReason.Length ? FinishReason.Length : FinishReason.Stop;
        string generated = text.ToString();
        if (finish == FinishReason.Stop)
        {
            // Restore against the whole turn (prefill included), so an opening tag in the prefill counts.
            string turn = StopSequenceRestorer.Restore((prefill ? request.Prefill : string.Empty) + generated, sampling.StopSequences);
            generated = turn[(prefill ? request.Prefill.Length : 0)..];
        }

        return new ModelReply
        {
            Text = generated,
            FinishReason = finish,
            PromptTokens = completion.Usage?.InputTokenCount ?? 0,
            CompletionTokens = completion.Usage?.OutputTokenCount ?? 0,
        };
    }

    private static string FirstLine(string message)
    {
        int newline = message.IndexOf('\n', StringComparison.Ordinal);
        return newline < 0 ? message : message[..newline];
    }
}
