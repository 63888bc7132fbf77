namespace DeepResearcher.Serving.Requests;

/// <summary>One prompt of a text completion: its text, or its exact token ids (what RL clients send).</summary>
public sealed record CompletionPrompt(string? Text, IReadOnlyList<int>? TokenIds);
