namespace DeepResearcher.Engine.Tokenization;

/// <summary>
/// A token matched verbatim in the raw text before normalization and BPE (chat markers such as &lt;|im_start|&gt;,
/// &lt;think&gt;, &lt;tool_call&gt;). <see cref="Special"/> marks control tokens; <see cref="LeftStrip"/> and
/// <see cref="RightStrip"/> make the token swallow the whitespace beside it.
/// </summary>
public sealed record AddedToken(int Id, string Content, bool Special, bool LeftStrip = false, bool RightStrip = false);
