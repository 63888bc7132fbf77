using DeepResearcher.Engine.Checkpoints;
using DeepResearcher.Engine.Model;
using DeepResearcher.Engine.Sampling;
using DeepResearcher.Engine.Tokenization;

namespace DeepResearcher.Tinker.Service;

/// <summary>
/// Samplers over base models and sampler snapshots, loaded on first use and kept while in use; past the limit the
/// least recently used idle one is disposed. A snapshot is immutable once written, so a loaded one never goes stale.
/// </summary>
internal sealed class SamplerCache(int maxLoaded) : IAsyncDisposable
{
    private readonly Dictionary<string, Task<LoadedSampler>> _loaded = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private long _clock;

    /// <summary>The sampler for <paramref name="key"/>, loading it with <paramref name="load"/>; release it with <see cref="Release"/>.</summary>
    public async Task<LoadedSampler> AcquireAsync(string key, Func<LoadedSampler> load)
    {
        Task<LoadedSampler> task;
        lock (_gate)
        {
            if (!_loaded.TryGetValue(key, out task!))
            {
                task = Task.Run(load);
                _loaded[key] = task;
            }
        }

        LoadedSampler sampler;
        try
        {
            sampler = await task.ConfigureAwait(false);
        }
        catch
        {
            lock (_gate)
            {
                _loaded.Remove(key);
            }

            throw;
        }

        Interlocked.Increment(ref sampler.InFlight);
        sampler.LastUsed = Interlocked.Increment(ref _clock);
        await EvictAsync().ConfigureAwait(false);
        return sampler;
    }

    public static void Release(LoadedSampler sampler) => Interlocked.Decrement(ref sampler.InFlight);

    /// <summary>Forgets a snapshot that was overwritten, so the next sample loads the new one.</summary>
    public void Forget(string key)
    {
        lock (_gate)
        {
            _loaded.Remove(key);
        }
    }

    /// <summary>Loads a base checkpoint, or a snapshot: a PEFT adapter over its base, or full weights.</summary>
    public static LoadedSampler Load(string baseDirectory, string? snapshotDirectory, int microBatchTokens, ContinuousBatchingOptions? sampling = null)
    {
        TransformerModel model;
        if (snapshotDirectory is null)
        {
            model = HuggingFaceCheckpoint.Load(baseDirectory);
        }
        else if (File.Exists(Path.Combine(snapshotDirectory, LoraCheckpoint.ConfigFileName)))
        {
            model = HuggingFaceCheckpoint.Load(baseDirectory);
            LoraCheckpoint.Load(model, snapshotDirectory);
        }
        else
        {
            model = HuggingFaceCheckpoint.Load(snapshotDirectory);
        }

        string tokenizerPath = Path.Combine(baseDirectory, Training.Checkpoints.TrainingCheckpoint.TokenizerFileName);
        BpeTokenizer? tokenizer = File.Exists(tokenizerPath) ? BpeTokenizer.FromTokenizerJson(tokenizerPath) : null;
        return new LoadedSampler(new ContinuousBatchingSampler(model, tokenizer, sampling ?? new ContinuousBatchingOptions()), microBatchTokens);
    }

    public async ValueTask DisposeAsync()
    {
        List<Task<LoadedSampler>> all;
        lock (_gate)
        {
            all = [.. _loaded.Values];
            _loaded.Clear();
        }

        foreach (Task<LoadedSampler> task in all)
        {
            if (task.IsCompletedSuccessfully)
            {
                await task.Result.Sampler.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task EvictAsync()
    {
        var evicted = new List<LoadedSampler>();
        lock (_gate)
        {
            while (_loaded.Count > maxLoaded)
            {
                KeyValuePair<string, Task<LoadedSampler>>? oldest = null;
                foreach (KeyValuePair<string, Task<LoadedSampler>> entry in _loaded)
                {
                    if (entry.Value.IsCompletedSuccessfully && Volatile.Read(ref entry.Value.Result.InFlight) == 0
                        && (oldest is null || entry.Value.Result.LastUsed < oldest.Value.Value.Result.LastUsed))
                    {
                        oldest = entry;
                    }
                }

                if (oldest is null)
                {
                    break;
                }

                _loaded.Remove(oldest.Value.Key);
                evicted.Add(oldest.Value.Value.Result);
            }
        }

        foreach (LoadedSampler sampler in evicted)
        {
            await sampler.Sampler.DisposeAsync().ConfigureAwait(false);
        }
    }
}
