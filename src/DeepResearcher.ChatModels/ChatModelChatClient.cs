using System.Runtime.CompilerServices;
using DeepResearcher.Core.Agent;
using DeepResearcher.Core.Protocol.Rendering;
using Microsoft.Extensions.AI;
using AiChatMessage = Microsoft.Extensions.AI.ChatMessage;
using AiChatRole = Microsoft.Extensions.AI.ChatRole;
using CoreMessage = DeepResearcher.Core.Protocol.ChatMessage;
using CoreRole = DeepResearcher.Core.Protocol.ChatRole;

namespace DeepResearcher.ChatModels;

/// <summary>
/// The project's <see cref="IChatModel"/> (an OpenAI-compatible endpoint, or the engine's policy from a trained
/// checkpoint) as a Microsoft.Extensions.AI <see cref="IChatClient"/>, for code built on M.E.AI (middleware, Semantic
/// Kernel, agents frameworks). A conversation that ends with an assistant message is continued from it when the
/// model supports prefill. A token-level model is given the conversation rendered by its chat template
/// (<paramref name="template"/>) and tokenized by its own tokenizer, as the research agent would.
/// </summary>
public sealed class ChatModelChatClient(IChatModel model, string template = "qwen2.5") : IChatClient
{
    private readonly IPromptRenderer _renderer = PromptRenderers.Get(template);
    private readonly ChatClientMetadata _metadata = new("deepresearcher", null, model.Name);

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<AiChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        List<CoreMessage> conversation = [.. messages.Select(ToCore)];
        string prefill = string.Empty;
        if (conversation.Count > 0 && conversation[^1].Role == CoreRole.Assistant && model.SupportsPrefill)
        {
            prefill = conversation[^1].Content;
            conversation.RemoveAt(conversation.Count - 1);
        }

        var defaults = new SamplingOptions();
        var request = new GenerationRequest
        {
            Messages = conversation,
            Prefill = prefill,
            Sampling = new SamplingOptions
            {
                Temperature = options?.Temperature ?? defaults.Temperature,
                TopP = options?.TopP ?? defaults.TopP,
                TopK = options?.TopK ?? 0,
                MaxTokens = options?.MaxOutputTokens ?? defaults.MaxTokens,
                StopSequences = options?.StopSequences is { } stops ? [.. stops] : [],
                Seed = options?.Seed,
            },
            ContextTokenIds = model is ITokenLevelChatModel tokenLevel
                ? tokenLevel.Tokenizer.Encode(_renderer.Render(conversation, null, addGenerationPrompt: true) + prefill)
                : null,
            TrajectoryId = options?.ConversationId ?? string.Empty,
        };

        ModelReply reply = await model.GenerateAsync(request, cancellationToken);
        return new ChatResponse(new AiChatMessage(AiChatRole.Assistant, reply.Text))
        {
            ModelId = model.Name,
            FinishReason = reply.FinishReason == FinishReason.Length ? ChatFinishReason.Length : ChatFinishReason.Stop,
            Usage = new UsageDetails
            {
                InputTokenCount = reply.PromptTokens,
                OutputTokenCount = reply.CompletionTokens,
                TotalTokenCount = reply.PromptTokens + reply.CompletionTokens,
            },
            CreatedAt = DateTimeOffset.UtcNow,
        };
    }

    /// <summary>The project's models answer a turn at once, so the stream is that one turn as a single update.</summary>
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<AiChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ChatResponse response = await GetResponseAsync(messages, options, cancellationToken);
        foreach (ChatResponseUpdate update in response.ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(ChatClientMetadata) ? _metadata
            : serviceType.IsInstanceOfType(model) ? model
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    public void Dispose()
    {
        // The model is the caller's: it outlives this view of it.
    }

    private static CoreMessage ToCore(AiChatMessage message)
    {
        CoreRole role = message.Role == AiChatRole.System ? CoreRole.System
            : message.Role == AiChatRole.Assistant ? CoreRole.Assistant
            : message.Role == AiChatRole.Tool ? CoreRole.Tool
            : CoreRole.User;
        return new CoreMessage(role, message.Text, Name: message.AuthorName);
    }
}
