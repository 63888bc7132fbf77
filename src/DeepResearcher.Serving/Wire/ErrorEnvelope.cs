namespace DeepResearcher.Serving.Wire;

/// <summary>OpenAI's error body: <c>{"error": {...}}</c>.</summary>
public sealed record ErrorEnvelope(ErrorDetail Error);
