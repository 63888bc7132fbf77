using System.Net;
using DeepResearcher.Recipes.Configuration;
using DeepResearcher.Tinker.Client;
using DeepResearcher.Tinker.Wire;

namespace DeepResearcher.Recipes.Pipeline;

/// <summary>
/// What <c>trainer.backend: tinker</c> needs before any work starts: a key where the service is not on this machine,
/// a service that answers, accepts the key and serves <c>tinker.base_model</c>. Each failure names the setting to fix.
/// </summary>
public static class TinkerPreflight
{
    public static async Task CheckAsync(TrainingConfig config, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(config);
        var url = new Uri(config.Tinker.BaseUrl);
        string variable = config.Tinker.ApiKeyEnv;
        bool keySet = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(variable));
        if (!keySet && !url.IsLoopback)
        {
            throw new ConfigException($"tinker.base_url {url} is not on this machine and {variable} is not set: export {variable}=YOUR_KEY (tinker.api_key_env names the variable)");
        }

        TinkerClientOptions options = TinkerClientOptions.FromEnvironment(url, variable) with
        {
            RequestTimeout = TimeSpan.FromSeconds(10),
            MaxRetries = 2,
            InitialRetryDelay = TimeSpan.FromMilliseconds(200),
            MaxRetryDelay = TimeSpan.FromSeconds(1),
        };
        await using var client = new TinkerClient(options);
        GetServerCapabilitiesResponse capabilities;
        try
        {
            await client.HealthAsync(cancellationToken);
            capabilities = await client.GetServerCapabilitiesAsync(cancellationToken);
        }
        catch (TinkerApiException ex) when (ex.Status == 0)
        {
            throw new ConfigException($"the Tinker service at {url} does not answer ({ex.Detail}): start it (e.g. 'deepresearcher serve training --base-model NAME=DIR') or fix tinker.base_url", ex);
        }
        catch (TinkerApiException ex) when (ex.Status is (int)HttpStatusCode.Unauthorized or (int)HttpStatusCode.Forbidden)
        {
            throw new ConfigException(keySet
                ? $"the Tinker service at {url} refused the key in {variable} (HTTP {ex.Status}): check the key"
                : $"the Tinker service at {url} wants a key (HTTP {ex.Status}): export {variable}=YOUR_KEY", ex);
        }
        catch (TinkerApiException ex)
        {
            throw new ConfigException($"the Tinker service at {url} failed its health check: {ex.Message}", ex);
        }

        string[] served = [.. capabilities.SupportedModels.Select(m => m.ModelName ?? string.Empty)];
        if (!served.Contains(config.Tinker.BaseModel, StringComparer.Ordinal))
        {
            throw new ConfigException($"tinker.base_model '{config.Tinker.BaseModel}' is not served by {url}; it serves: {(served.Length == 0 ? "nothing" : string.Join(", ", served))}");
        }
    }
}
