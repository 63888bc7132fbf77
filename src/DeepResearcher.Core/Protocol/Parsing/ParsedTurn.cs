namespace DeepResearcher.Core.Protocol.Parsing;

/// <summary>One assistant turn, parsed: an answer, a tool call, or a protocol error.</summary>
public abstract record ParsedTurn(string Think);

/// <summary>The turn ends the research with a final answer.</summary>
public sealed record AnswerTurn(string Think, string Answer) : ParsedTurn(Think);

/// <summary>The turn calls a tool.</summary>
public sealed record ToolCallTurn(string Think, ToolCall Call) : ParsedTurn(Think);

/// <summary>The turn breaks the protocol.</summary>
public sealed record MalformedTurn(ProtocolError Error) : ParsedTurn(string.Empty);
