namespace DeepResearcher.Core.Protocol.Parsing;

/// <summary>A typed protocol violation with a message that says what was wrong and what was expected.</summary>
public sealed record ProtocolError(ProtocolErrorKind Kind, string Message)
{
    public override string ToString() => $"{Kind}: {Message}";
}
