using DeepResearcher.Core.Agent;

namespace DeepResearcher.Testing;

/// <summary>A token-level model that replays scripted turns, returning token ids and log-probabilities like the engine will.</summary>
public sealed class ScriptedTokenModel(ITextTokenizer tokenizer, params string[] turns) : ITokenLevelChatModel
{
    private int _next;

    public ITextTokenizer Tokenizer => tokenizer;

    public string Name => "scripted-token-model";

    public bool SupportsPrefill => true;

    /// <summary>The context each call received.</summary>
    public List<int[]> Contexts { get; } = [];

    public Task<ModelReply> GenerateAsync(GenerationRequest request, CancellationToken cancellationToken)
    {
        Contexts.Add([.. request.ContextTokenIds ?? throw new InvalidOperationException("no token context")]);
        string text = turns[Math.Min(_next++, turns.Length - 1)];
        int[] ids = tokenizer.Encode(text);
        return Task.FromResult(new ModelReply
        {
            Text = text,
            TokenIds = ids,
            LogProbs = [.. ids.Select((_, i) => -0.01f * (i + 1))],
            PromptTokens = request.ContextTokenIds.Count,
            CompletionTokens = ids.Length,
        });
    }
}
