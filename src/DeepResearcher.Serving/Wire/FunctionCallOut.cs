namespace DeepResearcher.Serving.Wire;

/// <summary>The function a tool call names and its arguments as JSON text.</summary>
public sealed record FunctionCallOut(string Name, string Arguments);
