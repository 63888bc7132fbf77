using System.Text.Json;
using System.Text.Json.Nodes;

namespace DeepResearcher.Core.Protocol.Parsing;

/// <summary>
/// Parses one assistant turn: <c>&lt;think&gt;…&lt;/think&gt;</c> followed by exactly one of
/// <c>&lt;answer&gt;…&lt;/answer&gt;</c> or <c>&lt;tool_call&gt;{json}&lt;/tool_call&gt;</c>.
/// Stricter than the original where it was ambiguous (it silently preferred the answer when both were present);
/// every rejection names the rule that was broken, so a log line says why a rollout earned −1.
/// </summary>
public sealed class TurnParser(TurnParserOptions? options = null)
{
    private const string ThinkOpen = "<think>";
    private const string ThinkClose = "</think>";
    private const string AnswerOpen = "<answer>";
    private const string AnswerClose = "</answer>";
    private const string ToolOpen = "<tool_call>";
    private const string ToolClose = "</tool_call>";

    private readonly TurnParserOptions _options = options ?? new TurnParserOptions();

    public TurnParserOptions Options => _options;

    /// <param name="turn">The whole turn text, including any prefilled <c>&lt;think&gt;</c>, without the end-of-turn token.</param>
    public ParsedTurn Parse(string turn)
    {
        if (string.IsNullOrWhiteSpace(turn))
        {
            return Error(ProtocolErrorKind.EmptyTurn, "the turn is empty; expected <think>…</think> followed by <tool_call>…</tool_call> or <answer>…</answer>");
        }

        int thinkOpen = turn.IndexOf(ThinkOpen, StringComparison.Ordinal);
        if (thinkOpen < 0)
        {
            return Error(ProtocolErrorKind.MissingThink, "the turn has no <think> block; start every turn with <think>…</think>");
        }

        if (!string.IsNullOrWhiteSpace(turn[..thinkOpen]))
        {
            return Error(ProtocolErrorKind.TextBeforeThink, "text appears before <think>; the turn must start with <think>");
        }

        int thinkClose = turn.IndexOf(ThinkClose, thinkOpen, StringComparison.Ordinal);
        if (thinkClose < 0)
        {
            return Error(ProtocolErrorKind.UnclosedThink, "<think> is never closed; add </think> before the action");
        }

        string think = turn[(thinkOpen + ThinkOpen.Length)..thinkClose].Trim();
        string rest = turn[(thinkClose + ThinkClose.Length)..];
        int answerAt = rest.IndexOf(AnswerOpen, StringComparison.Ordinal);
        int toolAt = rest.IndexOf(ToolOpen, StringComparison.Ordinal);

        if (answerAt < 0 && toolAt < 0)
        {
            if (rest.Contains(AnswerClose, StringComparison.Ordinal) || rest.Contains(ToolClose, StringComparison.Ordinal))
            {
                return Error(ProtocolErrorKind.StrayClosingTag, "a closing </answer> or </tool_call> has no opening tag");
            }

            return Error(ProtocolErrorKind.NoAction, "after </think> the turn must contain <tool_call>…</tool_call> or <answer>…</answer>");
        }

        if (answerAt >= 0 && toolAt >= 0)
        {
            return Error(ProtocolErrorKind.MultipleActions, "the turn contains both <answer> and <tool_call>; give exactly one action per turn");
        }

        return answerAt >= 0 ? ParseAnswer(think, rest, answerAt) : ParseToolCall(think, rest, toolAt);
    }

    private static ParsedTurn ParseAnswer(string think, string rest, int open)
    {
        int start = open + AnswerOpen.Length;
        int close = rest.IndexOf(AnswerClose, start, StringComparison.Ordinal);
        if (close < 0)
        {
            return Error(ProtocolErrorKind.UnclosedAnswer, "<answer> is never closed; end the answer with </answer>");
        }

        if (rest.IndexOf(AnswerOpen, close, StringComparison.Ordinal) >= 0)
        {
            return Error(ProtocolErrorKind.MultipleActions, "the turn contains more than one <answer>");
        }

        string answer = rest[start..close].Trim();
        if (answer.Length == 0)
        {
            return Error(ProtocolErrorKind.EmptyAnswer, "<answer></answer> is empty; put the final answer inside it");
        }

        return new AnswerTurn(think, answer);
    }

    private ParsedTurn ParseToolCall(string think, string rest, int open)
    {
        int start = open + ToolOpen.Length;
        int close = rest.IndexOf(ToolClose, start, StringComparison.Ordinal);
        if (close < 0)
        {
            return Error(ProtocolErrorKind.UnclosedToolCall, "<tool_call> is never closed; end the call with </tool_call>");
        }

        if (rest.IndexOf(ToolOpen, close, StringComparison.Ordinal) >= 0)
        {
            return Error(ProtocolErrorKind.MultipleActions, "the turn contains more than one <tool_call>; make one call per turn");
        }

        string json = rest[start..close].Trim();
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json);
        }
        catch (JsonException ex)
        {
            return Error(ProtocolErrorKind.InvalidToolCallJson, $"the tool call is not valid JSON ({ex.Message.Split('.')[0]}); write {{\"name\": …, \"arguments\": {{…}}}}");
        }

        if (node is not JsonObject call)
        {
            return Error(ProtocolErrorKind.ToolCallNotObject, "the tool call must be a JSON object {\"name\": …, \"arguments\": {…}}");
        }

        if (call["name"] is not JsonValue nameValue || nameValue.GetValueKind() != JsonValueKind.String)
        {
            return Error(ProtocolErrorKind.MissingToolName, "the tool call has no string \"name\"");
        }

        string name = nameValue.GetValue<string>();
        if (!_options.KnownTools.Contains(name))
        {
            return Error(ProtocolErrorKind.UnknownTool, $"unknown tool '{name}'; available tools: {string.Join(", ", _options.KnownTools)}");
        }

        JsonNode? argumentsNode = call["arguments"];
        if (argumentsNode is null)
        {
            return Error(ProtocolErrorKind.MissingArguments, $"the call to {name} has no \"arguments\" object");
        }

        if (argumentsNode is not JsonObject arguments)
        {
            return Error(ProtocolErrorKind.ArgumentsNotObject, $"\"arguments\" of {name} must be a JSON object, not a {argumentsNode.GetValueKind().ToString().ToLowerInvariant()}");
        }

        return name switch
        {
            ResearchTools.WebSearchName => ParseSearch(think, arguments),
            ResearchTools.BrowseWebpageName => ParseBrowse(think, arguments),
            _ => new ToolCallTurn(think, new ToolCall(name, (JsonObject)arguments.DeepClone())),
        };
    }

    private ParsedTurn ParseSearch(string think, JsonObject arguments)
    {
        ProtocolError? error = ReadStringList(arguments, "query", ResearchTools.WebSearchName, out List<string> queries);
        if (error is not null)
        {
            return new MalformedTurn(error);
        }

        if (queries.Count == 0)
        {
            return Error(ProtocolErrorKind.EmptyQueryList, "\"query\" has no non-empty query; give at least one search query");
        }

        int keep = Math.Min(queries.Count, _options.MaxQueriesPerSearch);
        var call = new ToolCall(ResearchTools.WebSearchName, (JsonObject)arguments.DeepClone())
        {
            Queries = queries.GetRange(0, keep),
            DroppedQueries = queries.Count - keep,
        };
        return new ToolCallTurn(think, call);
    }

    private static ParsedTurn ParseBrowse(string think, JsonObject arguments)
    {
        ProtocolError? error = ReadStringList(arguments, "url_list", ResearchTools.BrowseWebpageName, out List<string> urls);
        if (error is not null)
        {
            return new MalformedTurn(error);
        }

        if (urls.Count == 0)
        {
            return Error(ProtocolErrorKind.EmptyUrlList, "\"url_list\" is empty; give at least one URL from the search results");
        }

        return new ToolCallTurn(think, new ToolCall(ResearchTools.BrowseWebpageName, (JsonObject)arguments.DeepClone()) { Urls = urls });
    }

    /// <summary>Reads an array of strings, trimmed, blanks dropped, duplicates removed in order.</summary>
    private static ProtocolError? ReadStringList(JsonObject arguments, string key, string tool, out List<string> values)
    {
        values = [];
        JsonNode? node = arguments[key];
        if (node is null)
        {
            return new ProtocolError(ProtocolErrorKind.MissingArgument, $"{tool} needs the argument \"{key}\" (an array of strings)");
        }

        if (node is not JsonArray array)
        {
            return new ProtocolError(ProtocolErrorKind.WrongArgumentType, $"\"{key}\" of {tool} must be an array of strings, not a {node.GetValueKind().ToString().ToLowerInvariant()}");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (JsonNode? item in array)
        {
            if (item is not JsonValue value || value.GetValueKind() != JsonValueKind.String)
            {
                return new ProtocolError(ProtocolErrorKind.WrongArgumentType, $"every item of \"{key}\" must be a string");
            }

            string text = value.GetValue<string>().Trim();
            if (text.Length > 0 && seen.Add(text))
            {
                values.Add(text);
            }
        }

        return null;
    }

    private static MalformedTurn Error(ProtocolErrorKind kind, string message) => new(new ProtocolError(kind, message));
}
