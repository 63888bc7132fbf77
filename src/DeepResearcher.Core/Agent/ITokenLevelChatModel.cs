namespace DeepResearcher.Core.Agent;

/// <summary>
/// A model that works on token ids (the local engine). The agent tokenises each prompt and environment segment once,
/// as it is appended, and passes the exact context; the model returns the sampled ids with their log-probabilities.
/// Nothing is ever re-tokenised from text.
/// </summary>
public interface ITokenLevelChatModel : IChatModel
{
    ITextTokenizer Tokenizer { get; }
}
