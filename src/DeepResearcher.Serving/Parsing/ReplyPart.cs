namespace DeepResearcher.Serving.Parsing;

/// <summary>A piece of a reply once its tags are read: visible content, or the model's reasoning.</summary>
public readonly record struct ReplyPart(bool IsReasoning, string Text);
