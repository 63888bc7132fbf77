namespace DeepResearcher.Recipes.Configuration;

/// <summary>A configuration problem found before any work starts; the message names the key and the fix.</summary>
public sealed class ConfigException(string message, Exception? inner = null) : Exception(message, inner);
