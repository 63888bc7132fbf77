using DeepResearcher.Core.Agent;

namespace DeepResearcher.Training.Policy;

/// <summary>
/// Turns a text-level model (such as the world's expert demonstrator) into a token-level one: its turns are tokenised
/// once, with the end-of-turn token appended, so demonstrations carry exact token ids and masks for supervised training.
/// </summary>
public sealed class TokenizingChatModel(IChatModel inner, ITextTokenizer tokenizer, string endOfTurn = "<|im_end|>") : ITokenLevelChatModel
{
    public ITextTokenizer Tokenizer => tokenizer;

    public string Name => inner.Name;

    public bool SupportsPrefill => inner.SupportsPrefill;

    public async Task<ModelReply> GenerateAsync(GenerationRequest request, CancellationToken cancellationToken)
    {
        ModelReply reply = await inner.GenerateAsync(request, cancellationToken);
        string text = reply.Text.EndsWith(endOfTurn, StringComparison.Ordinal) ? reply.Text : reply.Text + endOfTurn;
        int[] ids = tokenizer.Encode(text);
        return reply with
        {
            Text = text,
            TokenIds = ids,
            LogProbs = new float[ids.Length],
            CompletionTokens = ids.Length,
            PromptTokens = request.ContextTokenIds?.Count ?? 0,
        };
    }
}
