using System.Text;
using DeepResearcher.Engine.Sampling;
using DeepResearcher.Serving.Parsing;
using DeepResearcher.Serving.Wire;
using EngineFinish = DeepResearcher.Engine.Sampling.StopReason;

namespace DeepResearcher.Serving.Generation;

/// <summary>
/// One chat choice as it generates: each sampled token becomes a delta (visible content, reasoning, completed tool
/// calls, the token's logprobs and id). A streamed reply sends the deltas; a whole one is their sum, so the two agree.
/// </summary>
internal sealed class ChatChoiceState
{
    private readonly VisibleText _text;
    private readonly HermesReplyParser? _parser;
    private readonly TokenText? _names;
    private readonly ChoiceSpec _spec;
    private readonly List<ReplyPart> _parts = [];
    private int _calls;

    public ChatChoiceState(ChoiceSpec spec, Engine.Tokenization.BpeTokenizer tokenizer, bool parseToolCalls, bool keepStop, TokenText? names)
    {
        _spec = spec;
        _text = new VisibleText(tokenizer, spec.Options.StopStrings, spec.HiddenIds, keepStop);
        _parser = parseToolCalls ? new HermesReplyParser() : null;
        _names = names;
    }

    public ChatDelta Token(SampledToken token, out TokenLogProbOut? logProb)
    {
        logProb = _names is null ? null : LogProb(token, _names);
        return Delta(_text.Append(token.Id), finished: false);
    }

    public ChatDelta Finish(SamplingResult result, out string finishReason, out object? stopReason)
    {
        ChatDelta delta = Delta(_text.Finish(), finished: true);
        finishReason = _calls > 0 ? "tool_calls" : result.StopReason == EngineFinish.MaxTokens ? "length" : "stop";
        stopReason = result.StopReason switch
        {
            EngineFinish.StopString => result.StopString ?? _text.MatchedStop,
            // vLLM reports no stop reason for the end of turn, only for a stop_token_ids entry.
            EngineFinish.StopToken when result.TokenIds.Length > 0 && result.TokenIds[^1] != _spec.EndOfTurnId => result.TokenIds[^1],
            _ => null,
        };
        return delta;
    }

    private ChatDelta Delta(string visible, bool finished)
    {
        if (_parser is null)
        {
            return new ChatDelta { Content = visible.Length > 0 ? visible : null };
        }

        _parts.Clear();
        int before = _parser.ToolCalls.Count;
        _parser.Feed(visible, _parts);
        if (finished)
        {
            _parser.Finish(_parts);
        }
        var content = new StringBuilder();
        var reasoning = new StringBuilder();
        foreach (ReplyPart part in _parts)
        {
            (part.IsReasoning ? reasoning : content).Append(part.Text);
        }
        List<ToolCallOut>? calls = null;
        for (int i = before; i < _parser.ToolCalls.Count; i++)
        {
            ParsedToolCall call = _parser.ToolCalls[i];
            calls ??= [];
            calls.Add(new ToolCallOut($"call_{Guid.NewGuid():N}"[..29], new FunctionCallOut(call.Name, call.Arguments)) { Index = _calls++ });
        }

        return new ChatDelta
        {
            Content = content.Length > 0 ? content.ToString() : null,
            ReasoningContent = reasoning.Length > 0 ? reasoning.ToString() : null,
            ToolCalls = calls,
        };
    }

    public static TokenLogProbOut LogProb(SampledToken token, TokenText names)
    {
        string name = names.Name(token.Id);
        var top = new TopLogProbOut[token.TopLogProbs.Count];
        for (int i = 0; i < top.Length; i++)
        {
            string alternative = names.Name(token.TopLogProbs[i].Id);
            top[i] = new TopLogProbOut(alternative, token.TopLogProbs[i].LogProb, TokenText.Bytes(alternative));
        }

        return new TokenLogProbOut(name, token.LogProb, TokenText.Bytes(name), top);
    }
}
