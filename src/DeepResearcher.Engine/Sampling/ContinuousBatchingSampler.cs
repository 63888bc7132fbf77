using System.Collections.Concurrent;
using DeepResearcher.Engine.Checkpoints;
using DeepResearcher.Engine.Model;
using DeepResearcher.Engine.Tokenization;

namespace DeepResearcher.Engine.Sampling;

/// <summary>
/// Serves many concurrent generation requests from one model with continuous batching. A background thread runs the
/// decode loop: waiting requests are prefilled and join the running batch as slots and cache budget allow, every step
/// decodes one token for all running sequences at once, and a sequence leaves the batch the moment it finishes or its
/// caller cancels, so its slot goes to the next request. Each request samples from its own seeded random stream and
/// decode logits do not depend on the batch (see <see cref="InferenceMatrix"/>), so results do not depend on what else
/// is running. The model must not be trained while requests are in flight. Between requests it may be: the sampler
/// compares the model's <see cref="TransformerModel.WeightVersion"/> before every step and, when it moved, drops every
/// kept conversation cache (the old weights computed its keys and values) and re-reads its derived weights, so no
/// caller has to tell it.
/// </summary>
public sealed class ContinuousBatchingSampler : IDisposable, IAsyncDisposable
{
    private readonly CachedTransformer _runner;
    private readonly ContinuousBatchingOptions _options;
    private readonly TokenSampler _tokenSampler = new();
    private readonly ConcurrentQueue<Generation> _waiting = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly object _stepGate = new();
    private readonly List<Generation> _running = [];
    private Generation? _prefilling;
    private readonly List<KvCache> _freeCaches = [];
    private readonly KvCache[] _batchCaches;
    private readonly int[] _batchTokens;
    private readonly float[] _logits;
    private readonly Thread _loop;
    private volatile bool _stopping;
    private readonly Dictionary<string, Conversation> _conversations = new(StringComparer.Ordinal);
    private int _reservedTokens;
    private int _retainedTokens;
    private int _cacheCount;
    private long _useClock;
    private long _reusedTokens;
    private long _weightVersion;

    public ContinuousBatchingSampler(TransformerModel model, BpeTokenizer? tokenizer = null, ContinuousBatchingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        _options = options ?? new ContinuousBatchingOptions();
        _options.Validate();
        Tokenizer = tokenizer;
        _runner = new CachedTransformer(model, Math.Max(_options.MaxBatchSize, _options.PrefillChunkTokens), _options.WeightType);
        _weightVersion = _runner.WeightVersion;
        _batchCaches = new KvCache[_options.MaxBatchSize];
        _batchTokens = new int[_options.MaxBatchSize];
        _logits = new float[_options.MaxBatchSize * model.Config.VocabSize];
        _loop = new Thread(RunLoop) { IsBackground = true, Name = "ContinuousBatchingSampler decode loop" };
        _loop.Start();
    }

    /// <summary>Loads a Hugging Face checkpoint directory (config.json, model.safetensors, tokenizer.json) and starts a sampler.</summary>
    /// <exception cref="FileNotFoundException">The directory has no tokenizer.json.</exception>
    public static async Task<ContinuousBatchingSampler> LoadAsync(string checkpointDirectory, ContinuousBatchingOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(checkpointDirectory);
        var tokenizerPath = Path.Combine(checkpointDirectory, "tokenizer.json");
        if (!File.Exists(tokenizerPath))
            throw new FileNotFoundException($"checkpoint directory {checkpointDirectory} has no tokenizer.json", tokenizerPath);
        var tokenizer = await BpeTokenizer.FromTokenizerJsonAsync(tokenizerPath, cancellationToken).ConfigureAwait(false);
        var model = await Task.Run(() => HuggingFaceCheckpoint.Load(checkpointDirectory), cancellationToken).ConfigureAwait(false);
        return new ContinuousBatchingSampler(model, tokenizer, options);
    }

    public TransformerModel Model => _runner.Model;

    public BpeTokenizer? Tokenizer { get; }

    public ContinuousBatchingOptions Options => _options;

    /// <summary>The model's weight version now; each <see cref="SamplingResult.WeightVersion"/> says which one a request used.</summary>
    public long WeightVersion => _runner.Model.WeightVersion;

    /// <summary>Prompt tokens that did not need prefilling because a conversation's cache already held them.</summary>
    public long ReusedPromptTokens => Interlocked.Read(ref _reusedTokens);

    /// <summary>The most sequences that have decoded in one step so far.</summary>
    public int PeakBatchSize { get; private set; }

    /// <summary>Queues a request and completes when it has finished generating.</summary>
    /// <exception cref="ArgumentException">Empty prompt, unknown token id, invalid options, stop strings without a tokenizer, or more tokens than the cache budget.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled; the request's slot is freed.</exception>
    public Task<SamplingResult> SubmitAsync(SamplingRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(request.PromptTokenIds);
        ArgumentNullException.ThrowIfNull(request.Options);
        ObjectDisposedException.ThrowIf(_stopping, this);
        request.Options.Validate();
        int vocab = _runner.Config.VocabSize;
        var prompt = request.PromptTokenIds.ToArray();
        if (prompt.Length == 0) throw new ArgumentException("the prompt has no tokens", nameof(request));
        for (int i = 0; i < prompt.Length; i++)
        {
            if ((uint)prompt[i] >= (uint)vocab)
                throw new ArgumentException($"prompt token {i} has id {prompt[i]}, outside the vocabulary of {vocab}", nameof(request));
        }

        foreach (int stop in request.Options.StopTokenIds)
        {
            if ((uint)stop >= (uint)vocab)
                throw new ArgumentException($"stop token id {stop} is outside the vocabulary of {vocab}", nameof(request));
        }

        if (request.Options.StopStrings.Count > 0 && Tokenizer is null)
            throw new ArgumentException("stop strings need a tokenizer; this sampler has none", nameof(request));
        long reserved = (long)prompt.Length + request.Options.MaxNewTokens;
        if (reserved > _options.MaxTotalTokens)
        {
            throw new ArgumentException(
                $"prompt of {prompt.Length} tokens plus {request.Options.MaxNewTokens} new tokens exceeds the cache budget of {_options.MaxTotalTokens} tokens",
                nameof(request));
        }

        if (cancellationToken.IsCancellationRequested) return Task.FromCanceled<SamplingResult>(cancellationToken);

        var generation = new Generation(request, prompt, Tokenizer, cancellationToken);
        generation.WatchCancellation(Wake);
        _waiting.Enqueue(generation);
        Wake();
        return generation.Completion.Task;
    }

    /// <summary>Tokenizes <paramref name="prompt"/> (special tokens allowed) and submits it.</summary>
    public Task<SamplingResult> SubmitAsync(string prompt, DecodingOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        if (Tokenizer is null) throw new InvalidOperationException("this sampler has no tokenizer; submit token ids");
        return SubmitAsync(new SamplingRequest(Tokenizer.Encode(prompt), options), cancellationToken);
    }

    /// <summary>Forgets a conversation's kept cache (after its last turn); unknown ids are ignored. Waits for the current step.</summary>
    public void ReleaseConversation(string conversationId)
    {
        ArgumentNullException.ThrowIfNull(conversationId);
        lock (_stepGate)
            if (_conversations.Remove(conversationId, out var conversation)) Free(conversation);
    }

    /// <summary>
    /// When the model's weights changed since the last step (a training step, a loaded checkpoint, attached LoRA),
    /// drops every kept conversation cache, whose keys and values the old weights computed; the runner re-reads its
    /// derived weights itself. Requests already decoding continue with the new weights. Called under the step gate.
    /// </summary>
    private void DropStaleConversations()
    {
        long version = _runner.Model.WeightVersion;
        if (version == _weightVersion) return;
        _weightVersion = version;
        while (EvictOldestConversation(except: null))
        {
        }
    }

    public void Dispose()
    {
        if (_stopping) return;
        _stopping = true;
        Wake();
        _loop.Join();
        // A request that raced past the disposal check after the loop drained the queue.
        while (_waiting.TryDequeue(out var g)) g.Fail(new ObjectDisposedException(nameof(ContinuousBatchingSampler)));
        _wake.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (ObjectDisposedException)
        {
            // Cancelled after disposal: the loop has already failed the request.
        }
    }

    private void RunLoop()
    {
        while (!_stopping)
        {
            bool busy;
            lock (_stepGate)
            {
                DropStaleConversations();
                DropCancelled();
                PrefillWithinBudget();
                if (_running.Count > 0) DecodeStep();
                busy = _running.Count > 0 || _prefilling is not null;
            }
            if (!busy) _wake.Wait();
        }
        var disposed = new ObjectDisposedException(nameof(ContinuousBatchingSampler));
        foreach (var g in _running) g.Fail(disposed);
        _prefilling?.Fail(disposed);
        while (_waiting.TryDequeue(out var g)) g.Fail(disposed);
    }

    private void DropCancelled()
    {
        for (int i = _running.Count - 1; i >= 0; i--)
        {
            var g = _running[i];
            if (!g.IsCancelled) continue;
            Release(g);
            _running.RemoveAt(i);
            g.Cancel();
        }
        if (_prefilling is { IsCancelled: true } p)
        {
            Release(p);
            _prefilling = null;
            p.Cancel();
        }
    }

    /// <summary>
    /// Prefills waiting requests, in arrival order, for about <see cref="ContinuousBatchingOptions.PrefillChunkTokens"/>
    /// prompt tokens per loop iteration, so that running sequences keep decoding between the chunks of a long prompt.
    /// A prompt is always cut into the same chunks (from its first uncached token), whatever else is running, so its
    /// logits do not depend on the traffic. A request joins the decode batch once its whole prompt is in.
    /// </summary>
    private void PrefillWithinBudget()
    {
        int budget = _options.PrefillChunkTokens, vocab = _runner.Config.VocabSize;
        while (budget > 0 && (_prefilling is not null || AdmitNext()))
        {
            var g = _prefilling!;
            try
            {
                int n = Math.Min(_options.PrefillChunkTokens, g.Prompt.Length - g.PrefilledTokens);
                bool last = g.PrefilledTokens + n == g.Prompt.Length;
                var logits = _logits.AsSpan(0, vocab);
                _runner.Prefill(g.Cache!, g.Prompt.AsSpan(g.PrefilledTokens, n), last ? logits : []);
                g.PrefilledTokens += n;
                budget -= n;
                if (!last) continue;
                _prefilling = null;
                if (g.Accept(_tokenSampler.Sample(logits, g.Options, g.Random))) Finish(g);
                else _running.Add(g);
            }
#pragma warning disable CA1031 // one request's failure (e.g. its token callback throwing) must not stop the others
            catch (Exception e)
#pragma warning restore CA1031
            {
                _prefilling = null;
                Release(g);
                g.Fail(e);
            }
        }
    }

    /// <summary>Takes the next waiting request into the prefill slot if a batch slot and cache budget are free.</summary>
    private bool AdmitNext()
    {
        while (_running.Count < _options.MaxBatchSize && _waiting.TryPeek(out var g))
        {
            if (g.IsCancelled)
            {
                _waiting.TryDequeue(out _);
                g.Cancel();
                continue;
            }
            // Kept conversation caches give way to new requests, least recently used first.
            while (_reservedTokens + _retainedTokens + g.ReservedTokens > _options.MaxTotalTokens && EvictOldestConversation(except: g.Request.ConversationId))
            {
            }
            if (_reservedTokens + _retainedTokens + g.ReservedTokens > _options.MaxTotalTokens && _running.Count > 0) return false;
            _waiting.TryDequeue(out _);
            try
            {
                DropStaleConversations();
                g.WeightVersion = _weightVersion;
                int reused = TakeCache(g);
                _reservedTokens += g.ReservedTokens;
                Interlocked.Add(ref _reusedTokens, reused);
                g.PrefilledTokens = reused;
                _prefilling = g;
                return true;
            }
#pragma warning disable CA1031
            catch (Exception e)
#pragma warning restore CA1031
            {
                Release(g);
                g.Fail(e);
            }
        }
        return false;
    }

    private void DecodeStep()
    {
        int batch = _running.Count, vocab = _runner.Config.VocabSize;
        PeakBatchSize = Math.Max(PeakBatchSize, batch);
        for (int i = 0; i < batch; i++)
        {
            _batchCaches[i] = _running[i].Cache!;
            _batchTokens[i] = _running[i].LastToken;
        }
        try
        {
            _runner.Decode(_batchCaches.AsSpan(0, batch), _batchTokens.AsSpan(0, batch), _logits.AsSpan(0, batch * vocab));
        }
#pragma warning disable CA1031 // a failed step fails the requests in it, not the loop
        catch (Exception e)
#pragma warning restore CA1031
        {
            foreach (var g in _running)
            {
                Release(g);
                g.Fail(e);
            }
            _running.Clear();
            return;
        }
        int kept = 0;
        for (int i = 0; i < batch; i++)
        {
            var g = _running[i];
            bool finished;
            try
            {
                finished = g.Accept(_tokenSampler.Sample(_logits.AsSpan(i * vocab, vocab), g.Options, g.Random));
            }
#pragma warning disable CA1031
            catch (Exception e)
#pragma warning restore CA1031
            {
                Release(g);
                g.Fail(e);
                continue;
            }
            if (finished) Finish(g);
            else _running[kept++] = g;
        }
        _running.RemoveRange(kept, batch - kept);
        Array.Clear(_batchCaches);
    }

    /// <summary>
    /// Gives <paramref name="g"/> a cache with room for its tokens: its conversation's kept cache cut back to the prefix
    /// it shares with the new prompt, else a free, grown or new one. Returns how many prompt tokens are already cached.
    /// </summary>
    private int TakeCache(Generation g)
    {
        int tokens = g.ReservedTokens;
        if (g.Request.ConversationId is { } id && _conversations.Remove(id, out var conversation))
        {
            _retainedTokens -= conversation.Tokens.Length;
            // At least one prompt token must go through the model to produce the logits of the first new token.
            int shared = Math.Min(g.Prompt.AsSpan().CommonPrefixLength(conversation.Tokens), g.Prompt.Length - 1);
            conversation.Cache.Truncate(shared);
            conversation.Cache.EnsureCapacity(tokens);
            _runner.Model.Rope.EnsurePositions(conversation.Cache.Capacity);
            g.Cache = conversation.Cache;
            return shared;
        }
        g.Cache = TakeFreeCache(tokens);
        return 0;
    }

    /// <summary>A cleared cache with room for <paramref name="tokens"/>: a free one if any fits, else a new or grown one.</summary>
    private KvCache TakeFreeCache(int tokens)
    {
        int best = -1;
        for (int i = 0; i < _freeCaches.Count; i++)
            if (_freeCaches[i].Capacity >= tokens && (best < 0 || _freeCaches[i].Capacity < _freeCaches[best].Capacity)) best = i;
        KvCache cache;
        if (best >= 0)
        {
            cache = _freeCaches[best];
            _freeCaches.RemoveAt(best);
        }
        else if (_cacheCount >= _options.MaxBatchSize && _freeCaches.Count > 0)
        {
            // Never hold more spare caches than slots: grow a free one rather than allocate another.
            cache = _freeCaches[^1];
            _freeCaches.RemoveAt(_freeCaches.Count - 1);
            cache.EnsureCapacity(tokens);
        }
        else
        {
            // Round up so later requests of similar size can reuse the cache.
            cache = _runner.CreateCache((tokens + 255) & ~255);
            _cacheCount++;
        }
        cache.Clear();
        _runner.Model.Rope.EnsurePositions(cache.Capacity);
        return cache;
    }

    /// <summary>Completes a finished request and keeps its cache for its conversation's next turn, if it has one.</summary>
    private void Finish(Generation g)
    {
        if (g.Request.ConversationId is { } id && g.Cache is { } cache)
        {
            _reservedTokens -= g.ReservedTokens;
            g.Cache = null;
            if (_conversations.Remove(id, out var previous)) Free(previous);
            var conversation = new Conversation(cache, g.CachedTokens()) { LastUsed = ++_useClock };
            _conversations[id] = conversation;
            _retainedTokens += conversation.Tokens.Length;
        }
        else
        {
            Release(g);
        }

        g.Complete();
    }

    private bool EvictOldestConversation(string? except)
    {
        string? oldest = null;
        long oldestUse = long.MaxValue;
        foreach (var (id, conversation) in _conversations)
        {
            if (id != except && conversation.LastUsed < oldestUse)
            {
                oldest = id;
                oldestUse = conversation.LastUsed;
            }
        }

        if (oldest is null) return false;
        _conversations.Remove(oldest, out var evicted);
        Free(evicted!);
        return true;
    }

    private void Free(Conversation conversation)
    {
        _retainedTokens -= conversation.Tokens.Length;
        if (_freeCaches.Count < _options.MaxBatchSize) _freeCaches.Add(conversation.Cache);
        else _cacheCount--;
    }

    private void Release(Generation g)
    {
        if (g.Cache is not { } cache) return;
        _reservedTokens -= g.ReservedTokens;
        g.Cache = null;
        _freeCaches.Add(cache);
    }

    /// <summary>A finished turn's cache and the tokens it holds.</summary>
    private sealed record Conversation(KvCache Cache, int[] Tokens)
    {
        public long LastUsed { get; init; }
    }
}
