using System.Net.Http.Headers;
using DeepResearcher.Environments.Composition;
using DeepResearcher.Recipes.Configuration;

namespace DeepResearcher.Recipes.Pipeline;

/// <summary>
/// What training on the web needs before any work starts: the tools compose (a search provider's key is set, the
/// tool servers answer their health check) and the reader endpoint answers with the reader model among its models.
/// </summary>
public static class WebToolsPreflight
{
    public static async Task CheckAsync(TrainingConfig config, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(config);
        var components = new TrainingComponents(config);
        string cache = Path.Combine(Path.GetTempPath(), $"dr-preflight-{Guid.NewGuid():N}.db");
        try
        {
            await using ComposedToolbox tools = await ToolboxComposer.CreateAsync(components.WebToolboxSpec(components.AgentSettings(), cache), cancellationToken);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or HttpRequestException)
        {
            throw new ConfigException($"the tools section does not make tools: {ex.Message}", ex);
        }
        finally
        {
            File.Delete(cache);
        }

        if (config.Tools.Reader == "llm" && config.Tools.ToolServers.Count == 0)
        {
            await CheckReaderAsync(config.Tools, cancellationToken);
        }
    }

    private static async Task CheckReaderAsync(ToolsSection tools, CancellationToken cancellationToken)
    {
        string models = tools.ReaderUrl.TrimEnd('/') + "/models";
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
        using var request = new HttpRequestMessage(HttpMethod.Get, models);
        if (Environment.GetEnvironmentVariable(tools.ReaderApiKeyEnv) is { Length: > 0 } key)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        string body;
        try
        {
            using HttpResponseMessage response = await http.SendAsync(request, cancellationToken);
            body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new ConfigException($"the reader at {tools.ReaderUrl} answered GET /models with HTTP {(int)response.StatusCode}: check tools.reader_url and the key in {tools.ReaderApiKeyEnv}");
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new ConfigException($"the reader at {tools.ReaderUrl} does not answer ({ex.Message}): start it (e.g. vLLM's OpenAI server) or fix tools.reader_url", ex);
        }

        if (!body.Contains($"\"{tools.ReaderModel}\"", StringComparison.Ordinal))
        {
            throw new ConfigException($"the reader at {tools.ReaderUrl} does not list tools.reader_model '{tools.ReaderModel}' among its models");
        }
    }
}
