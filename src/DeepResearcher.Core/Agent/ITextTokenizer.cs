namespace DeepResearcher.Core.Agent;

/// <summary>The tokenizer of a token-level model, as the agent loop needs it.</summary>
public interface ITextTokenizer
{
    /// <summary>Encodes template text: chat special tokens (&lt;|im_start|&gt;, &lt;tool_response&gt;…) map to their ids.</summary>
    int[] Encode(string text);

    /// <summary>
    /// Encodes text from outside (the question, tool output such as fetched pages), where a literal "&lt;|im_end|&gt;"
    /// must stay text and never become a control token.
    /// </summary>
    int[] EncodeUntrusted(string text) => Encode(text);

    string Decode(ReadOnlySpan<int> ids);
}
