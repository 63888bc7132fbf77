namespace DeepResearcher.ChatModels;

/// <summary>A model endpoint failed after retries; the message names the endpoint and the status, never the key.</summary>
public sealed class ChatModelException(string message, Exception? inner = null) : Exception(message, inner);
