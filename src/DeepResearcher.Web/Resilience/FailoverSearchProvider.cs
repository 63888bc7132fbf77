using System.Text;
using DeepResearcher.Web.Search;

namespace DeepResearcher.Web.Resilience;

/// <summary>
/// Tries providers in order (e.g. serper → brave → local) and returns the first answer, skipping providers whose circuit is open.
/// Any failure moves on to the next provider — transient ones also count toward opening that provider's circuit, while a bad key or
/// a spent budget is reported through <see cref="FailoverOptions.FailureObserved"/> and <see cref="Health"/>. It throws only when
/// every provider failed or was skipped, with each provider's cause in the message. An empty answer is an answer.
/// </summary>
public sealed class FailoverSearchProvider : ISearchProvider
{
    private readonly ISearchProvider[] _providers;
    private readonly ProviderCircuit[] _circuits;
    private readonly FailoverOptions _options;

    public FailoverSearchProvider(IEnumerable<ISearchProvider> providers, FailoverOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(providers);
        _options = options ?? new FailoverOptions();
        _providers = [.. providers];
        if (_providers.Length == 0)
        {
            throw new ArgumentException($"{_options.Name}: a failover chain needs at least one provider", nameof(providers));
        }

        if (_options.FailureThreshold < 1 || _options.CoolDown < TimeSpan.Zero)
        {
            throw new ArgumentException($"{_options.Name}: FailoverOptions.FailureThreshold must be at least 1 and CoolDown not negative", nameof(options));
        }

        _circuits = new ProviderCircuit[_providers.Length];
        for (int i = 0; i < _providers.Length; i++)
        {
            ArgumentNullException.ThrowIfNull(_providers[i], nameof(providers));
            _circuits[i] = new ProviderCircuit(_providers[i].Name, _options.FailureThreshold, _options.CoolDown, _options.TimeProvider);
        }
    }

    public string Name => _options.Name;

    public IReadOnlyList<ProviderHealth> Health
    {
        get
        {
            var health = new ProviderHealth[_circuits.Length];
            for (int i = 0; i < _circuits.Length; i++)
            {
                health[i] = _circuits[i].Snapshot();
            }

            return health;
        }
    }

    public async Task<IReadOnlyList<SearchResult>> SearchAsync(SearchRequest request, CancellationToken cancellationToken)
    {
        SearchRequestValidation.Validate(Name, request);
        var causes = new List<SearchProviderException>(_providers.Length);
        for (int i = 0; i < _providers.Length; i++)
        {
            ISearchProvider provider = _providers[i];
            ProviderCircuit circuit = _circuits[i];
            if (!circuit.TryEnter(out string reason))
            {
                causes.Add(new SearchProviderException(provider.Name, SearchFailureKind.Unavailable, "skipped: " + reason));
                continue;
            }

            try
            {
                IReadOnlyList<SearchResult> results = await provider.SearchAsync(request, cancellationToken).ConfigureAwait(false);
                circuit.Succeeded();
                return results;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                circuit.Abandoned();
                throw;
            }
            catch (Exception ex)
            {
                // A provider that throws something other than SearchProviderException has a bug, but the next one may still answer.
                SearchProviderException failure = ex as SearchProviderException
                    ?? new SearchProviderException(provider.Name, SearchFailureKind.Unavailable, $"unexpected {ex.GetType().Name}: {ex.Message}", inner: ex);
                circuit.Failed(failure);
                causes.Add(failure);
                _options.FailureObserved?.Invoke(failure);
            }
        }

        throw AllFailed(causes);
    }

    private SearchProviderException AllFailed(List<SearchProviderException> causes)
    {
        var message = new StringBuilder($"all {causes.Count} providers failed: ");
        TimeSpan? soonest = null;
        bool allSameKind = true;
        for (int i = 0; i < causes.Count; i++)
        {
            message.Append(i == 0 ? string.Empty : "; ").Append(causes[i].Message);
            allSameKind &= causes[i].Kind == causes[0].Kind;
            if (causes[i].RetryAfter is { } wait && (soonest is null || wait < soonest))
            {
                soonest = wait;
            }
        }

        // One shared kind says what to do about it (fix the keys, wait for the rate limit); a mix is an outage.
        SearchFailureKind kind = allSameKind ? causes[0].Kind : SearchFailureKind.Unavailable;
        return new SearchProviderException(Name, kind, message.ToString(), soonest, new AggregateException(causes));
    }
}
