using System.Runtime.CompilerServices;
using System.Text;
using DeepResearcher.Serving.Models;
using DeepResearcher.Serving.Requests;
using DeepResearcher.Serving.Wire;

namespace DeepResearcher.Serving.Generation;

/// <summary>
/// A chat completion that has passed every check and holds its concurrency slots: stream it as chunks, or complete
/// it whole (the sum of the same chunks). Dispose it when the response is written or the client is gone.
/// </summary>
public sealed class ChatCompletionJob : IAsyncDisposable
{
    private readonly ChatRequest _request;
    private readonly ServedModel _model;
    private readonly IReadOnlyList<ChoiceSpec> _choices;
    private readonly GenerationRun _run;
    private readonly ServingMetrics _metrics;
    private readonly string _id = $"chatcmpl-{Guid.NewGuid():N}";
    private readonly long _created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    internal ChatCompletionJob(ChatRequest request, ServedModel model, IReadOnlyList<ChoiceSpec> choices, GenerationRun run, ServingMetrics metrics)
    {
        _request = request;
        _model = model;
        _choices = choices;
        _run = run;
        _metrics = metrics;
    }

    public bool Stream => _request.Stream;

    /// <summary>The prompt's token ids, as rendered by the chat template and tokenised.</summary>
    public IReadOnlyList<int> PromptTokenIds => _choices[0].PromptIds;

    public async IAsyncEnumerable<ChatCompletionChunk> StreamAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        SamplingFields sampling = _request.Sampling;
        TokenText? names = sampling.LogProbs ? new TokenText(_model.Tokenizer, sampling.ReturnTokensAsTokenIds) : null;
        var states = new ChatChoiceState[_choices.Count];
        for (int i = 0; i < states.Length; i++)
        {
            states[i] = new ChatChoiceState(_choices[i], _model.Tokenizer, _request.ParseToolCalls, sampling.IncludeStopStringInOutput, names);
        }

        for (int i = 0; i < states.Length; i++)
        {
            yield return Chunk(new ChunkChoice(i, new ChatDelta { Role = "assistant", Content = string.Empty })) with
            {
                PromptTokenIds = i == 0 && sampling.ReturnTokenIds ? PromptTokenIds : null,
            };
        }

        int completion = 0;
        bool first = true;
        await foreach (ChoiceEvent e in _run.EventsAsync(cancellationToken).ConfigureAwait(false))
        {
            if (e.Result is null)
            {
                if (first)
                {
                    _metrics.FirstToken();
                    first = false;
                }

                ChatDelta delta = states[e.Choice].Token(e.Token, out TokenLogProbOut? logProb);
                yield return Chunk(new ChunkChoice(e.Choice, delta)
                {
                    Logprobs = logProb is null ? null : new ChatLogProbs([logProb]),
                    TokenIds = sampling.ReturnTokenIds ? [e.Token.Id] : null,
                });
                continue;
            }

            completion += e.Result.TokenIds.Length;
            ChatDelta last = states[e.Choice].Finish(e.Result, out string finish, out object? stop);
            yield return Chunk(new ChunkChoice(e.Choice, last) { FinishReason = finish, StopReason = stop });
        }

        _metrics.Generated(PromptTokenIds.Count, completion);
        if (_request.IncludeUsage)
        {
            yield return Chunk() with { Usage = new Usage(PromptTokenIds.Count, completion) };
        }
    }

    /// <summary>The whole completion: the streamed chunks, summed.</summary>
    public async Task<ChatCompletion> CompleteAsync(CancellationToken cancellationToken)
    {
        var choices = new ChoiceSum[_choices.Count];
        for (int i = 0; i < choices.Length; i++)
        {
            choices[i] = new ChoiceSum();
        }
        int completion = 0;
        await foreach (ChatCompletionChunk chunk in StreamAsync(cancellationToken).ConfigureAwait(false))
        {
            foreach (ChunkChoice choice in chunk.Choices)
            {
                choices[choice.Index].Add(choice);
            }
        }

        foreach (ChoiceSum sum in choices)
        {
            completion += sum.Tokens;
        }
        bool ids = _request.Sampling.ReturnTokenIds;
        return new ChatCompletion(_id, _created, _model.Name, [.. choices.Select((c, i) => c.ToChoice(i, ids))], new Usage(PromptTokenIds.Count, completion))
        {
            PromptTokenIds = ids ? PromptTokenIds : null,
        };
    }

    public ValueTask DisposeAsync() => _run.DisposeAsync();

    private ChatCompletionChunk Chunk(params ChunkChoice[] choices) => new(_id, _created, _model.Name, choices);

    /// <summary>A choice's chunks added up.</summary>
    private sealed class ChoiceSum
    {
        private readonly StringBuilder _content = new();
        private readonly StringBuilder _reasoning = new();
        private readonly List<ToolCallOut> _calls = [];
        private readonly List<TokenLogProbOut> _logProbs = [];
        private bool _hasLogProbs;
        private bool _hasReasoning;
        private string _finish = "stop";
        private object? _stop;

        public List<int> TokenIds { get; } = [];

        public int Tokens { get; private set; }

        public void Add(ChunkChoice chunk)
        {
            _content.Append(chunk.Delta.Content);
            if (chunk.Delta.ReasoningContent is { } reasoning)
            {
                _reasoning.Append(reasoning);
                _hasReasoning = true;
            }

            if (chunk.Delta.ToolCalls is { } calls)
            {
                _calls.AddRange(calls.Select(c => c with { Index = null }));
            }
            if (chunk.Logprobs is { } logProbs)
            {
                _logProbs.AddRange(logProbs.Content);
                _hasLogProbs = true;
            }

            if (chunk.TokenIds is { } ids)
            {
                TokenIds.AddRange(ids);
            }
            // The stream sends one chunk per sampled token, besides the opening (role) and closing (finish) ones.
            if (chunk.Delta.Role is null && chunk.FinishReason is null)
            {
                Tokens++;
            }
            if (chunk.FinishReason is { } finish)
            {
                _finish = finish;
                _stop = chunk.StopReason;
            }
        }

        public ChatChoice ToChoice(int index, bool ids)
        {
            string? content = _content.Length == 0 && _calls.Count > 0 ? null : _content.ToString();
            return new ChatChoice(index, new AssistantMessage(content)
            {
                ReasoningContent = _hasReasoning ? _reasoning.ToString() : null,
                ToolCalls = _calls.Count > 0 ? _calls : null,
            }, _finish)
            {
                Logprobs = _hasLogProbs ? new ChatLogProbs(_logProbs) : null,
                TokenIds = ids ? TokenIds : null,
                StopReason = _stop,
            };
        }
    }
}
