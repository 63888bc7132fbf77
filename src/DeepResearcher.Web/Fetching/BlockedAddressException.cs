namespace DeepResearcher.Web.Fetching;

/// <summary>Thrown from the connect callback when the guard refuses an address a host resolves to.</summary>
public sealed class BlockedAddressException(string message) : Exception(message);
