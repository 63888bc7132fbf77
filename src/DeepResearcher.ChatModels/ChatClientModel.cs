using System.Text;
using DeepResearcher.Core.Agent;
using Microsoft.Extensions.AI;
using AiChatMessage = Microsoft.Extensions.AI.ChatMessage;
using AiChatRole = Microsoft.Extensions.AI.ChatRole;
using CoreMessage = DeepResearcher.Core.Protocol.ChatMessage;
using CoreRole = DeepResearcher.Core.Protocol.ChatRole;

namespace DeepResearcher.ChatModels;

/// <summary>
/// Any Microsoft.Extensions.AI <see cref="IChatClient"/> (Azure OpenAI, Ollama, Semantic Kernel's, OpenAI's own) as
/// the project's <see cref="IChatModel"/>: the policy of <c>research</c> and <c>eval run</c>, the page reader or the
/// judge. Messages go as <see cref="OpenAIChatModel"/> sends them (the tools block inside the system message, tool
/// responses as user messages), so the model sees the original's prompt whatever the provider; a stop string the
/// provider cut is put back.
/// </summary>
public sealed class ChatClientModel : IChatModel
{
    private readonly IChatClient _client;
    private readonly ChatClientModelOptions _options;

    public ChatClientModel(IChatClient client, ChatClientModelOptions? options = null)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _options = options ?? new ChatClientModelOptions();
        ChatClientMetadata? metadata = client.GetService<ChatClientMetadata>();
        Name = _options.Name.Length > 0 ? _options.Name
            : _options.ModelId.Length > 0 ? _options.ModelId
            : metadata?.DefaultModelId ?? metadata?.ProviderName ?? client.GetType().Name;
    }

    public string Name { get; }

    public bool SupportsPrefill => _options.SupportsPrefill;

    /// <summary>The wrapped client.</summary>
    public IChatClient Client => _client;

    public async Task<ModelReply> GenerateAsync(GenerationRequest request, CancellationToken cancellationToken)
    {
        var messages = new List<AiChatMessage>(request.Messages.Count + 1);
        foreach (CoreMessage message in request.Messages)
        {
            AiChatRole role = message.Role switch
            {
                CoreRole.System => AiChatRole.System,
                CoreRole.Assistant => AiChatRole.Assistant,
                _ => AiChatRole.User,
            };
            messages.Add(new AiChatMessage(role, message.Content));
        }

        bool prefill = SupportsPrefill && request.Prefill.Length > 0;
        if (prefill)
        {
            messages.Add(new AiChatMessage(AiChatRole.Assistant, request.Prefill));
        }

        SamplingOptions sampling = request.Sampling;
        var options = new ChatOptions
        {
            ModelId = _options.ModelId.Length > 0 ? _options.ModelId : null,
            Temperature = sampling.Temperature,
            TopP = sampling.TopP,
            TopK = sampling.TopK > 0 ? sampling.TopK : null,
            MaxOutputTokens = sampling.MaxTokens,
            Seed = sampling.Seed,
            StopSequences = [.. sampling.StopSequences.Take(Math.Max(0, _options.MaxStopSequences))],
        };

        ChatResponse response;
        try
        {
            response = await _client.GetResponseAsync(messages, options, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw new ChatModelException($"the chat client for '{Name}' failed: {ex.GetType().Name}: {FirstLine(ex.Message)}", ex);
        }

        var text = new StringBuilder();
        foreach (AiChatMessage message in response.Messages.Where(m => m.Role == AiChatRole.Assistant))
        {
            text.Append(message.Text);
        }

        FinishReason finish = response.FinishReason == ChatFinishReason.Length ? FinishReason.Length : FinishReason.Stop;
        string generated = text.ToString();
        if (finish == FinishReason.Stop)
        {
            string turn = StopSequenceRestorer.Restore((prefill ? request.Prefill : string.Empty) + generated, sampling.StopSequences);
            generated = turn[(prefill ? request.Prefill.Length : 0)..];
        }

        return new ModelReply
        {
            Text = generated,
            FinishReason = finish,
            PromptTokens = (int)(response.Usage?.InputTokenCount ?? 0),
            CompletionTokens = (int)(response.Usage?.OutputTokenCount ?? 0),
        };
    }

    private static string FirstLine(string message)
    {
        int newline = message.IndexOf('\n', StringComparison.Ordinal);
        return newline < 0 ? message : message[..newline];
    }
}
