using System.Text;
using DeepResearcher.Engine.Tokenization;

namespace DeepResearcher.Engine.Sampling;

/// <summary>One request's state while it waits and decodes: its cache, random stream, output so far and stop checks.</summary>
internal sealed class Generation
{
    private readonly DecodingOptions _options;
    private readonly StreamingDecoder? _decoder;
    private readonly StringBuilder? _text;
    private readonly int _longestStop;
    private int[] _ids;
    private float[] _logProbs;
    private float[] _samplingLogProbs;
    private int _count;
    private StopReason _stopReason;
    private string? _stopString;
    private CancellationTokenRegistration _registration;
    private volatile bool _cancelled;

    public Generation(SamplingRequest request, int[] prompt, BpeTokenizer? tokenizer, CancellationToken cancellationToken)
    {
        Request = request;
        Prompt = prompt;
        _options = request.Options;
        Random = new Random(_options.Seed ?? System.Random.Shared.Next());
        CancellationToken = cancellationToken;
        int initial = Math.Min(_options.MaxNewTokens, 64);
        _ids = new int[initial];
        _logProbs = new float[initial];
        _samplingLogProbs = new float[initial];
        if (tokenizer is not null)
        {
            _decoder = tokenizer.CreateStreamingDecoder();
            _text = new StringBuilder();
            foreach (var stop in _options.StopStrings) _longestStop = Math.Max(_longestStop, stop.Length);
        }
    }

    public SamplingRequest Request { get; }

    public int[] Prompt { get; }

    public DecodingOptions Options => _options;

    public Random Random { get; }

    public CancellationToken CancellationToken { get; }

    public TaskCompletionSource<SamplingResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public KvCache? Cache { get; set; }

    /// <summary>Prompt tokens already in <see cref="Cache"/>.</summary>
    public int PrefilledTokens { get; set; }

    /// <summary>Tokens this request reserves in the caches.</summary>
    public int ReservedTokens => Prompt.Length + _options.MaxNewTokens;

    public int LastToken => _ids[_count - 1];

    /// <summary>The tokens whose keys and values are in the cache: the prompt and every output token but the last.</summary>
    public int[] CachedTokens() => [.. Prompt, .. _ids.AsSpan(0, Math.Max(0, _count - 1))];

    public bool IsCancelled => _cancelled;

    /// <summary>Signals the decode loop when the caller cancels.</summary>
    public void WatchCancellation(Action wake)
    {
        if (CancellationToken.CanBeCanceled)
        {
            _registration = CancellationToken.Register(() =>
            {
                // Answer the caller now; the decode loop frees the slot before its next step.
                _cancelled = true;
                Completion.TrySetCanceled(CancellationToken);
                wake();
            });
        }
    }

    /// <summary>Records a sampled token; true when the generation is over.</summary>
    public bool Accept(SampledToken token)
    {
        if (_count == _ids.Length)
        {
            int grown = Math.Min(_options.MaxNewTokens, 2 * _count);
            Array.Resize(ref _ids, grown);
            Array.Resize(ref _logProbs, grown);
            Array.Resize(ref _samplingLogProbs, grown);
        }
        _ids[_count] = token.Id;
        _logProbs[_count] = token.LogProb;
        _samplingLogProbs[_count] = token.SamplingLogProb;
        _count++;
        Request.OnToken?.Invoke(token);

        bool stopToken = false;
        foreach (int stop in _options.StopTokenIds)
        {
            if (stop == token.Id)
            {
                _stopReason = StopReason.StopToken;
                stopToken = true;
            }
        }

        if (_decoder is not null && _text is not null)
        {
            int before = _text.Length;
            _text.Append(_decoder.Append(token.Id));
            if (stopToken) return true;
            if (_longestStop > 0 && _text.Length > before && FindStopString(before)) return true;
        }
        if (stopToken) return true;
        if (_count >= _options.MaxNewTokens)
        {
            _stopReason = StopReason.MaxTokens;
            return true;
        }
        return false;
    }

    private bool FindStopString(int before)
    {
        // Only a match that ends in the new text is new: search from where the longest stop string could start.
        int from = Math.Max(0, before - _longestStop + 1);
        var tail = _text!.ToString(from, _text.Length - from);
        foreach (var stop in _options.StopStrings)
        {
            if (tail.Contains(stop, StringComparison.Ordinal))
            {
                _stopReason = StopReason.StopString;
                _stopString = stop;
                return true;
            }
        }

        return false;
    }

    /// <summary>The model's weight version when the request was admitted (its prompt is prefilled with those weights).</summary>
    public long WeightVersion { get; set; }

    public void Complete()
    {
        _registration.Dispose();
        string? text = null;
        if (_decoder is not null && _text is not null) text = _text.Append(_decoder.Flush()).ToString();
        Completion.TrySetResult(new SamplingResult(_ids[.._count], _logProbs[.._count], _samplingLogProbs[.._count],
            _stopReason, text, _stopString) { WeightVersion = WeightVersion });
    }

    public void Cancel()
    {
        _registration.Dispose();
        Completion.TrySetCanceled(CancellationToken);
    }

    public void Fail(Exception error)
    {
        _registration.Dispose();
        Completion.TrySetException(error);
    }
}
