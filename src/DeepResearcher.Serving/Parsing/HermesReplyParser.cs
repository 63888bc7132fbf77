using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DeepResearcher.Serving.Parsing;

/// <summary>
/// Reads a reply as vLLM's hermes tool parser does for Qwen, incrementally: <c>&lt;think&gt;…&lt;/think&gt;</c> becomes
/// reasoning, each <c>&lt;tool_call&gt;{"name", "arguments"}&lt;/tool_call&gt;</c> a tool call, the rest content. A call
/// whose JSON does not parse is returned as content, as written. Text that may be the start of a tag is held until it
/// is known, so the parts of a streamed reply concatenate to those of the whole. The tags are the ones the agent's
/// turn parser (Core's TurnParser) reads. One per choice; not thread-safe.
/// </summary>
public sealed class HermesReplyParser
{
    private const string ThinkOpen = "<think>";
    private const string ThinkClose = "</think>";
    private const string CallOpen = "<tool_call>";
    private const string CallClose = "</tool_call>";

    private readonly StringBuilder _pending = new();
    private readonly StringBuilder _call = new();
    private readonly StringBuilder _leadingSpace = new();
    private readonly List<ParsedToolCall> _calls = [];
    private State _state = State.Content;
    private bool _sawContent;
    private bool _sawReasoning;

    private enum State
    {
        Content,
        Reasoning,
        ToolCall,
    }

    public IReadOnlyList<ParsedToolCall> ToolCalls => _calls;

    /// <summary>Adds visible text; appends the parts it completes to <paramref name="parts"/>.</summary>
    /// <returns>How many tool calls completed (they are at the end of <see cref="ToolCalls"/>).</returns>
    public int Feed(string text, List<ReplyPart> parts)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(parts);
        int calls = _calls.Count;
        _pending.Append(text);
        while (_pending.Length > 0)
        {
            string buffer = _pending.ToString();
            (string tag, State next)[] tags = _state switch
            {
                State.Content => [(ThinkOpen, State.Reasoning), (CallOpen, State.ToolCall)],
                State.Reasoning => [(ThinkClose, State.Content)],
                _ => [(CallClose, State.Content)],
            };
            int at = -1;
            string? found = null;
            State target = _state;
            foreach ((string tag, State next) in tags)
            {
                int i = buffer.IndexOf(tag, StringComparison.Ordinal);
                if (i >= 0 && (at < 0 || i < at))
                {
                    at = i;
                    found = tag;
                    target = next;
                }
            }

            if (found is null)
            {
                int held = HeldBack(buffer, tags);
                Emit(buffer[..^held], parts);
                _pending.Clear().Append(buffer.AsSpan(buffer.Length - held));
                break;
            }

            Emit(buffer[..at], parts);
            if (_state == State.ToolCall)
            {
                CloseCall(parts);
            }
            _state = target;
            if (_state == State.Reasoning)
            {
                _sawReasoning = true;
            }
            _pending.Clear().Append(buffer.AsSpan(at + found.Length));
        }

        return _calls.Count - calls;
    }

    /// <summary>Ends the reply: held text is released as it stands (an unclosed call as content).</summary>
    public void Finish(List<ReplyPart> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        string rest = _pending.ToString();
        _pending.Clear();
        Emit(rest, parts);
        if (_state == State.ToolCall)
        {
            _state = State.Content;
            Emit(CallOpen + _call, parts);
            _call.Clear();
        }

        // Whitespace between the reasoning or the calls and nothing else is not content.
        if (_leadingSpace.Length > 0 && !_sawContent && _calls.Count == 0 && !_sawReasoning)
        {
            parts.Add(new ReplyPart(false, _leadingSpace.ToString()));
        }

        _leadingSpace.Clear();
    }

    private void Emit(string text, List<ReplyPart> parts)
    {
        if (text.Length == 0)
        {
            return;
        }
        switch (_state)
        {
            case State.Reasoning:
                parts.Add(new ReplyPart(true, text));
                break;
            case State.ToolCall:
                _call.Append(text);
                break;
            default:
                if (!_sawContent && string.IsNullOrWhiteSpace(text))
                {
                    _leadingSpace.Append(text);
                    break;
                }

                if (_leadingSpace.Length > 0)
                {
                    text = _leadingSpace + text;
                    _leadingSpace.Clear();
                }

                _sawContent = true;
                parts.Add(new ReplyPart(false, text));
                break;
        }
    }

    private void CloseCall(List<ReplyPart> parts)
    {
        string body = _call.ToString();
        _call.Clear();
        if (TryReadCall(body) is { } call)
        {
            _calls.Add(call);
            return;
        }

        _state = State.Content;
        Emit(CallOpen + body + CallClose, parts);
    }

    private static ParsedToolCall? TryReadCall(string body)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            return null;
        }

        if (node is not JsonObject call || call["name"] is not JsonValue name || name.GetValueKind() != JsonValueKind.String)
        {
            return null;
        }
        string arguments = call["arguments"] switch
        {
            null => "{}",
            JsonValue text when text.GetValueKind() == JsonValueKind.String => text.GetValue<string>(),
            var other => other.ToJsonString(),
        };
        return new ParsedToolCall(name.GetValue<string>(), arguments);
    }

    private static int HeldBack(string buffer, (string Tag, State Next)[] tags)
    {
        int held = 0;
        foreach ((string tag, _) in tags)
        {
            for (int length = Math.Min(tag.Length - 1, buffer.Length); length > held; length--)
            {
                if (buffer.AsSpan(buffer.Length - length).SequenceEqual(tag.AsSpan(0, length)))
                {
                    held = length;
                    break;
                }
            }
        }

        return held;
    }
}
