using DeepResearcher.Engine.Tokenization;

namespace DeepResearcher.Engine.Sampling;

/// <summary>Qwen's ChatML: each turn is <c>&lt;|im_start|&gt;role\ncontent&lt;|im_end|&gt;\n</c>; the assistant's turn ends at <c>&lt;|im_end|&gt;</c>.</summary>
public static class ChatMarkup
{
    public const string TurnStart = "<|im_start|>";
    public const string TurnEnd = "<|im_end|>";

    /// <summary>The system message Qwen2's chat template adds when none is given.</summary>
    public const string DefaultSystemMessage = "You are a helpful assistant.";

    /// <summary>A system turn, one user turn and the opening of the assistant's reply, as the chat template renders them.</summary>
    public static string UserPrompt(string user, string? system = DefaultSystemMessage)
    {
        ArgumentNullException.ThrowIfNull(user);
        var text = system is null ? "" : Turn("system", system);
        return text + Turn("user", user) + TurnStart + "assistant\n";
    }

    public static string Turn(string role, string content) => $"{TurnStart}{role}\n{content}{TurnEnd}\n";

    /// <summary>The id of <c>&lt;|im_end|&gt;</c>, where a chat model stops its turn.</summary>
    /// <exception cref="ArgumentException">The tokenizer has no such token (not a ChatML model).</exception>
    public static int TurnEndId(BpeTokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        return tokenizer.TokenToId(TurnEnd) ?? throw new ArgumentException($"the tokenizer has no {TurnEnd} token, so it is not a ChatML chat model", nameof(tokenizer));
    }
}
