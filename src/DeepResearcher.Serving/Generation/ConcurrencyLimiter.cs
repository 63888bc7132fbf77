namespace DeepResearcher.Serving.Generation;

/// <summary>
/// Counts the sequences generating at once across all models. A request that does not fit is refused at once (429),
/// not queued: a client that retries after Retry-After sees a fair share, and no request waits unseen behind others.
/// </summary>
public sealed class ConcurrencyLimiter(int capacity)
{
    private readonly Lock _lock = new();
    private int _used;

    public int Capacity { get; } = capacity;

    public int InUse
    {
        get
        {
            lock (_lock)
            {
                return _used;
            }
        }
    }

    /// <summary>Takes <paramref name="count"/> slots, or none; the lease gives them back once.</summary>
    public bool TryAcquire(int count, out IDisposable? lease)
    {
        lock (_lock)
        {
            if (_used + count > Capacity)
            {
                lease = null;
                return false;
            }

            _used += count;
        }

        lease = new Lease(this, count);
        return true;
    }

    private void Release(int count)
    {
        lock (_lock)
        {
            _used -= count;
        }
    }

    private sealed class Lease(ConcurrencyLimiter owner, int count) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                owner.Release(count);
            }
        }
    }
}
