namespace DeepResearcher.Serving.Parsing;

/// <summary>A <c>&lt;tool_call&gt;</c> the model wrote: the function's name and its arguments as compact JSON text.</summary>
public sealed record ParsedToolCall(string Name, string Arguments);
