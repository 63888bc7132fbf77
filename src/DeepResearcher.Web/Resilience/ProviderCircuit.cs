using DeepResearcher.Web.Search;

namespace DeepResearcher.Web.Resilience;

/// <summary>
/// A circuit breaker for one provider: opens after <c>threshold</c> consecutive transient failures, lets a single probe through
/// once the cool-down is over, and closes again on the probe's success. Non-transient failures (a bad key, a bad request) neither
/// open nor close it: they say nothing about the provider's availability.
/// </summary>
internal sealed class ProviderCircuit(string provider, int threshold, TimeSpan coolDown, TimeProvider time)
{
    private readonly Lock _lock = new();
    private CircuitState _state = CircuitState.Closed;
    private int _consecutive;
    private DateTimeOffset _openUntil;
    private bool _probeInFlight;
    private long _successes;
    private long _failures;
    private long _skipped;
    private SearchFailureKind? _lastKind;
    private string? _lastFailure;

    public string Provider { get; } = provider;

    /// <summary>Whether a call may go to the provider now; if not, <paramref name="reason"/> says why.</summary>
    public bool TryEnter(out string reason)
    {
        lock (_lock)
        {
            DateTimeOffset now = time.GetUtcNow();
            if (_state == CircuitState.Open && now >= _openUntil)
            {
                _state = CircuitState.HalfOpen;
                _probeInFlight = false;
            }

            switch (_state)
            {
                case CircuitState.Closed:
                    reason = string.Empty;
                    return true;
                case CircuitState.HalfOpen when !_probeInFlight:
                    _probeInFlight = true;
                    reason = string.Empty;
                    return true;
                case CircuitState.HalfOpen:
                    _skipped++;
                    reason = "circuit half-open and a probe call is already in flight";
                    return false;
                default:
                    _skipped++;
                    reason = $"circuit open after {_consecutive} consecutive failures until {_openUntil:HH:mm:ss} UTC (last: {_lastFailure})";
                    return false;
            }
        }
    }

    public void Succeeded()
    {
        lock (_lock)
        {
            _successes++;
            _consecutive = 0;
            _state = CircuitState.Closed;
            _probeInFlight = false;
        }
    }

    public void Failed(SearchProviderException failure)
    {
        lock (_lock)
        {
            _failures++;
            _lastKind = failure.Kind;
            _lastFailure = failure.Message;
            _probeInFlight = false;
            if (!failure.IsTransient)
            {
                return;
            }

            _consecutive++;
            if (_state == CircuitState.HalfOpen || _consecutive >= threshold)
            {
                _state = CircuitState.Open;
                _openUntil = time.GetUtcNow() + coolDown;
            }
        }
    }

    /// <summary>The call ended without a verdict (the caller cancelled): free the probe slot.</summary>
    public void Abandoned()
    {
        lock (_lock)
        {
            _probeInFlight = false;
        }
    }

    public ProviderHealth Snapshot()
    {
        lock (_lock)
        {
            CircuitState state = _state == CircuitState.Open && time.GetUtcNow() >= _openUntil ? CircuitState.HalfOpen : _state;
            return new ProviderHealth(Provider, state, _consecutive, _successes, _failures, _skipped, _lastKind, _lastFailure,
                state == CircuitState.Open ? _openUntil : null);
        }
    }
}
