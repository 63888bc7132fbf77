using System.Net.Http.Json;
using System.Text.Json.Nodes;
using DeepResearcher.Core.Agent;
using DeepResearcher.Core.Protocol;

namespace DeepResearcher.Web.Remote;

/// <summary>
/// An <see cref="IToolbox"/> that calls tool servers over HTTP. Servers keep no per-trajectory state of their own
/// (it lives in a shared store), so any server can take any call: calls go round-robin over the healthy servers, and
/// a server that fails is skipped for a cool-down while the call is retried on the next one.
/// </summary>
public sealed class RemoteToolbox : IToolbox, IDisposable
{
    private readonly RemoteToolboxOptions _options;
    private readonly HttpClient _http;
    private readonly long[] _unhealthyUntil;
    private readonly TimeProvider _time;
    private int _next;

    public RemoteToolbox(RemoteToolboxOptions options, HttpClient? http = null, TimeProvider? time = null)
    {
        if (options.Servers.Count == 0)
        {
            throw new ArgumentException("At least one tool server URL is needed.", nameof(options));
        }

        _options = options;
        _http = http ?? new HttpClient { Timeout = options.RequestTimeout };
        _unhealthyUntil = new long[options.Servers.Count];
        _time = time ?? TimeProvider.System;
    }

    public async Task<ToolResult> ExecuteAsync(ToolCall call, ToolContext context, CancellationToken cancellationToken)
    {
        JsonObject body = ToolWireFormat.CallToJson(call, _options.TrajectoryIdPrefix is { } prefix ? context with { TrajectoryId = prefix + context.TrajectoryId } : context);
        var failures = new List<string>();
        for (int attempt = 0; attempt < Math.Max(1, _options.MaxAttempts); attempt++)
        {
            int server = PickServer();
            Uri url = new(_options.Servers[server], $"v1/tools/{call.Name}");
            try
            {
                using HttpResponseMessage response = await _http.PostAsJsonAsync(url, body, cancellationToken);
                if ((int)response.StatusCode is >= 400 and < 500)
                {
                    // The server understood and refused the call: another server would refuse it too.
                    string detail = await response.Content.ReadAsStringAsync(cancellationToken);
                    return ToolResult.Failure($"{call.Name}: the tool server rejected the call (HTTP {(int)response.StatusCode}): {detail}");
                }

                response.EnsureSuccessStatusCode();
                JsonObject json = await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken)
                    ?? throw new FormatException("empty response");
                return ToolWireFormat.ResultFromJson(json);
            }
            catch (Exception ex) when (ex is HttpRequestException or FormatException or System.Text.Json.JsonException
                                           || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                MarkUnhealthy(server);
                failures.Add($"{_options.Servers[server]}: {ex.Message}");
            }
        }

        return ToolResult.Failure($"{call.Name}: every tool server attempt failed ({string.Join("; ", failures)})");
    }

    private int PickServer()
    {
        long now = _time.GetTimestamp();
        int count = _options.Servers.Count;
        int start = Interlocked.Increment(ref _next);
        for (int i = 0; i < count; i++)
        {
            int candidate = (int)((uint)(start + i) % (uint)count);
            if (Interlocked.Read(ref _unhealthyUntil[candidate]) <= now)
            {
                return candidate;
            }
        }

        // All are cooling down: try the next one anyway rather than fail without asking.
        return (int)((uint)start % (uint)count);
    }

    private void MarkUnhealthy(int server)
    {
        long until = _time.GetTimestamp() + (long)(_options.Cooldown.TotalSeconds * _time.TimestampFrequency);
        Interlocked.Exchange(ref _unhealthyUntil[server], until);
    }

    public void Dispose() => _http.Dispose();
}
