namespace DeepResearcher.Core.Protocol.Parsing;

/// <summary>What was wrong with an assistant turn.</summary>
public enum ProtocolErrorKind
{
    EmptyTurn,
    MissingThink,
    TextBeforeThink,
    UnclosedThink,
    NoAction,
    StrayClosingTag,
    MultipleActions,
    UnclosedAnswer,
    EmptyAnswer,
    UnclosedToolCall,
    InvalidToolCallJson,
    ToolCallNotObject,
    MissingToolName,
    UnknownTool,
    MissingArguments,
    ArgumentsNotObject,
    MissingArgument,
    WrongArgumentType,
    EmptyQueryList,
    EmptyUrlList,
    TurnTooLong,
}
