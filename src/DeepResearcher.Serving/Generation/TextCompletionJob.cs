using System.Runtime.CompilerServices;
using System.Text;
using DeepResearcher.Serving.Models;
using DeepResearcher.Serving.Requests;
using DeepResearcher.Serving.Wire;
using EngineFinish = DeepResearcher.Engine.Sampling.StopReason;

namespace DeepResearcher.Serving.Generation;

/// <summary>A checked text completion holding its slots: streamed as chunks, or whole as their sum. Choice p·n + j is prompt p's j-th sample.</summary>
public sealed class TextCompletionJob : IAsyncDisposable
{
    private readonly CompletionRequest _request;
    private readonly ServedModel _model;
    private readonly IReadOnlyList<ChoiceSpec> _choices;
    private readonly IReadOnlyList<string?> _echo;
    private readonly GenerationRun _run;
    private readonly ServingMetrics _metrics;
    private readonly string _id = $"cmpl-{Guid.NewGuid():N}";
    private readonly long _created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
    private int _generated;

    internal TextCompletionJob(CompletionRequest request, ServedModel model, IReadOnlyList<ChoiceSpec> choices, IReadOnlyList<string?> echo, GenerationRun run, ServingMetrics metrics)
    {
        _request = request;
        _model = model;
        _choices = choices;
        _echo = echo;
        _run = run;
        _metrics = metrics;
    }

    public bool Stream => _request.Stream;

    private int PromptTokens => _choices.Where((_, i) => i % _request.Sampling.N == 0).Sum(c => c.PromptIds.Length);

    public async IAsyncEnumerable<TextCompletion> StreamAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        SamplingFields sampling = _request.Sampling;
        var names = new TokenText(_model.Tokenizer, sampling.ReturnTokensAsTokenIds);
        var texts = new VisibleText[_choices.Count];
        var offsets = new int[_choices.Count];
        for (int i = 0; i < texts.Length; i++)
        {
            texts[i] = new VisibleText(_model.Tokenizer, _choices[i].Options.StopStrings, _choices[i].HiddenIds, sampling.IncludeStopStringInOutput);
            if (_echo[i] is not null || sampling.ReturnTokenIds)
            {
                string prefix = _echo[i] ?? string.Empty;
                offsets[i] = prefix.Length;
                yield return Chunk(new TextChoice(i, prefix, null) { PromptTokenIds = sampling.ReturnTokenIds ? _choices[i].PromptIds : null });
            }
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

                string piece = texts[e.Choice].Append(e.Token.Id);
                TextLogProbs? logProbs = null;
                if (sampling.LogProbs)
                {
                    string name = names.Name(e.Token.Id);
                    var top = new Dictionary<string, float>(StringComparer.Ordinal);
                    foreach (var alternative in e.Token.TopLogProbs)
                    {
                        top.TryAdd(names.Name(alternative.Id), alternative.LogProb);
                    }
                    logProbs = new TextLogProbs([name], [e.Token.LogProb], [top], [offsets[e.Choice]]);
                }

                offsets[e.Choice] += piece.Length;
                yield return Chunk(new TextChoice(e.Choice, piece, null)
                {
                    Logprobs = logProbs,
                    TokenIds = sampling.ReturnTokenIds ? [e.Token.Id] : null,
                });
                continue;
            }

            completion += e.Result.TokenIds.Length;
            string rest = texts[e.Choice].Finish();
            object? stop = e.Result.StopReason switch
            {
                EngineFinish.StopString => e.Result.StopString,
                EngineFinish.StopToken when e.Result.TokenIds.Length > 0 && e.Result.TokenIds[^1] != _choices[e.Choice].EndOfTurnId => e.Result.TokenIds[^1],
                _ => null,
            };
            yield return Chunk(new TextChoice(e.Choice, rest, e.Result.StopReason == EngineFinish.MaxTokens ? "length" : "stop") { StopReason = stop });
        }

        _generated = completion;
        _metrics.Generated(PromptTokens, completion);
        if (_request.IncludeUsage)
        {
            yield return Chunk() with { Usage = new Usage(PromptTokens, completion) };
        }
    }

    public async Task<TextCompletion> CompleteAsync(CancellationToken cancellationToken)
    {
        var text = new StringBuilder[_choices.Count];
        var finish = new string?[_choices.Count];
        var stops = new object?[_choices.Count];
        var ids = new List<int>[_choices.Count];
        var tokens = new List<string>[_choices.Count];
        var logProbs = new List<float?>[_choices.Count];
        var tops = new List<IReadOnlyDictionary<string, float>?>[_choices.Count];
        var offsets = new List<int>[_choices.Count];
        for (int i = 0; i < _choices.Count; i++)
        {
            (text[i], ids[i], tokens[i], logProbs[i], tops[i], offsets[i]) = (new StringBuilder(), [], [], [], [], []);
        }

        int completion = 0;
        await foreach (TextCompletion chunk in StreamAsync(cancellationToken).ConfigureAwait(false))
        {
            foreach (TextChoice c in chunk.Choices)
            {
                text[c.Index].Append(c.Text);
                if (c.TokenIds is { } sampled)
                {
                    ids[c.Index].AddRange(sampled);
                }
                if (c.Logprobs is { } lp)
                {
                    tokens[c.Index].AddRange(lp.Tokens);
                    logProbs[c.Index].AddRange(lp.TokenLogprobs);
                    tops[c.Index].AddRange(lp.TopLogprobs);
                    offsets[c.Index].AddRange(lp.TextOffset);
                }

                if (c.FinishReason is not null)
                {
                    finish[c.Index] = c.FinishReason;
                    stops[c.Index] = c.StopReason;
                }
            }

        }

        completion = _generated;

        bool returnIds = _request.Sampling.ReturnTokenIds;
        var choices = new TextChoice[_choices.Count];
        for (int i = 0; i < choices.Length; i++)
        {
            choices[i] = new TextChoice(i, text[i].ToString(), finish[i] ?? "stop")
            {
                Logprobs = _request.Sampling.LogProbs ? new TextLogProbs(tokens[i], logProbs[i], tops[i], offsets[i]) : null,
                PromptTokenIds = returnIds ? _choices[i].PromptIds : null,
                TokenIds = returnIds ? ids[i] : null,
                StopReason = stops[i],
            };
        }

        return new TextCompletion(_id, _created, _model.Name, choices) { Usage = new Usage(PromptTokens, completion) };
    }

    public ValueTask DisposeAsync() => _run.DisposeAsync();

    private TextCompletion Chunk(params TextChoice[] choices) => new(_id, _created, _model.Name, choices);
}
