using System.Collections.Concurrent;

namespace DeepResearcher.Web.Caching;

/// <summary>
/// A bounded in-process layer in front of a persistent tool cache: hot entries (the same queries asked by the G
/// rollouts of a group) are answered from memory; writes go to both. Expiry follows the entry's own TTL.
/// </summary>
public sealed class MemoryFrontedToolCache(IToolCache backing, int capacity = 50_000, TimeProvider? time = null) : IToolCache, IDisposable
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private long _clock;

    public async Task<string?> GetAsync(string key, CancellationToken cancellationToken)
    {
        DateTimeOffset now = _time.GetUtcNow();
        if (_entries.TryGetValue(key, out Entry? entry))
        {
            if (entry.ExpiresAt > now)
            {
                entry.Touched = Interlocked.Increment(ref _clock);
                return entry.Value;
            }

            _entries.TryRemove(key, out _);
        }

        string? value = await backing.GetAsync(key, cancellationToken);
        if (value is not null)
        {
            // The backing store does not say when it expires; keep it in memory for at most a day.
            Remember(key, value, now.AddDays(1));
        }

        return value;
    }

    public async Task SetAsync(string key, string value, TimeSpan timeToLive, CancellationToken cancellationToken)
    {
        await backing.SetAsync(key, value, timeToLive, cancellationToken);
        Remember(key, value, _time.GetUtcNow().Add(timeToLive));
    }

    public Task<int> RemoveExpiredAsync(CancellationToken cancellationToken)
    {
        DateTimeOffset now = _time.GetUtcNow();
        foreach ((string key, Entry entry) in _entries)
        {
            if (entry.ExpiresAt <= now)
            {
                _entries.TryRemove(key, out _);
            }
        }

        return backing.RemoveExpiredAsync(cancellationToken);
    }

    private void Remember(string key, string value, DateTimeOffset expiresAt)
    {
        _entries[key] = new Entry(value, expiresAt) { Touched = Interlocked.Increment(ref _clock) };
        if (_entries.Count > capacity)
        {
            // Evict the least recently used tenth in one pass, so eviction is rare and cheap on average.
            foreach (var stale in _entries.OrderBy(kv => kv.Value.Touched).Take(Math.Max(1, capacity / 10)).ToList())
            {
                _entries.TryRemove(stale.Key, out _);
            }
        }
    }

    public void Dispose() => (backing as IDisposable)?.Dispose();

    private sealed class Entry(string value, DateTimeOffset expiresAt)
    {
        public string Value { get; } = value;

        public DateTimeOffset ExpiresAt { get; } = expiresAt;

        public long Touched { get; set; }
    }
}
