using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using DeepResearcher.Tinker.Wire;

namespace DeepResearcher.Tinker.Client;

/// <summary>
/// The Tinker API's REST client, as the official SDK speaks it: JSON bodies, <c>X-API-Key</c>, one
/// <c>X-Idempotency-Key</c> per logical request reused by its retries, 408/409/429/5xx (and no answer) retried with the
/// SDK's backoff and Retry-After, a deadline on every request and the caller's cancellation on every wait. Futures are
/// polled through <c>retrieve_future</c> with backoff until they complete, fail, or pass their deadline; the session
/// is created on first use, kept alive by heartbeats, and created again when the server has lost it.
/// </summary>
public sealed class TinkerClient : IAsyncDisposable
{
    private const string IdempotencyHeader = "X-Idempotency-Key";

    private readonly HttpClient _http;
    private readonly SemaphoreSlim _sessionLock = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private string? _sessionId;
    private Task? _heartbeat;
    private int _modelSeq = -1;
    private int _samplingSeq = -1;

    /// <param name="handler">The HTTP stack; one that follows no redirects by default (the archive route answers 302).</param>
    public TinkerClient(TinkerClientOptions options, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        _http = new HttpClient(handler ?? new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = new Uri(options.BaseUrl.ToString().TrimEnd('/') + "/"),
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("DeepResearcher-Tinker", "0.1"));
        if (options.ApiKey is not null)
        {
            _http.DefaultRequestHeaders.Add("X-API-Key", options.ApiKey);
        }
    }

    public TinkerClientOptions Options { get; }

    /// <summary>The session in use, once created; null after the server lost it (the next request creates another).</summary>
    public string? SessionId => Volatile.Read(ref _sessionId);

    /// <summary>Sessions created so far (more than one when the server lost one).</summary>
    public int SessionsCreated { get; private set; }

    /// <summary>Requests that were sent again after a retryable answer or none.</summary>
    public int Retries => _retries;

    private int _retries;

    public Task<HealthResponse> HealthAsync(CancellationToken cancellationToken)
        => SendAsync<HealthResponse>(HttpMethod.Get, "api/v1/healthz", null, cancellationToken);

    public Task<GetServerCapabilitiesResponse> GetServerCapabilitiesAsync(CancellationToken cancellationToken)
        => SendAsync<GetServerCapabilitiesResponse>(HttpMethod.Get, "api/v1/get_server_capabilities", null, cancellationToken);

    /// <summary>The session, created (with its heartbeat) when there is none.</summary>
    public async Task<string> EnsureSessionAsync(CancellationToken cancellationToken)
    {
        if (SessionId is { } existing)
        {
            return existing;
        }

        await _sessionLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (SessionId is { } raced)
            {
                return raced;
            }

            CreateSessionResponse created = await SendAsync<CreateSessionResponse>(HttpMethod.Post, "api/v1/create_session",
                new CreateSessionRequest { Tags = Options.Tags, UserMetadata = [], SdkVersion = Options.SdkVersion }, cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _sessionId, created.SessionId);
            SessionsCreated++;
            _heartbeat ??= Task.Run(() => HeartbeatLoopAsync(_stopping.Token), CancellationToken.None);
            return created.SessionId;
        }
        finally
        {
            _sessionLock.Release();
        }
    }

    /// <summary>The next model_seq_id of this client's session (the SDK's training client counter).</summary>
    public int NextModelSeqId() => Interlocked.Increment(ref _modelSeq);

    /// <summary>The next sampling_session_seq_id (shared by create_sampling_session and save_weights_for_sampler, as in the SDK).</summary>
    public int NextSamplingSessionSeqId() => Interlocked.Increment(ref _samplingSeq);

    /// <summary>create_model in the current session; a session the server lost is created again and the request sent once more.</summary>
    public Task<UntypedApiFuture> CreateModelAsync(Func<string, CreateModelRequest> request, CancellationToken cancellationToken)
        => InSessionAsync(session => SendAsync<UntypedApiFuture>(HttpMethod.Post, "api/v1/create_model", request(session), cancellationToken), cancellationToken);

    public Task<CreateSamplingSessionResponse> CreateSamplingSessionAsync(Func<string, CreateSamplingSessionRequest> request, CancellationToken cancellationToken)
        => InSessionAsync(session => SendAsync<CreateSamplingSessionResponse>(HttpMethod.Post, "api/v1/create_sampling_session", request(session), cancellationToken), cancellationToken);

    /// <summary>Submits an asynchronous request (forward, forward_backward, optim_step, save/load weights, asample) and returns its future.</summary>
    public Task<UntypedApiFuture> SubmitAsync(string route, object body, CancellationToken cancellationToken)
        => SendAsync<UntypedApiFuture>(HttpMethod.Post, route, body, cancellationToken);

    /// <summary>Submits and waits for the result.</summary>
    public async Task<T> CallAsync<T>(string route, object body, CancellationToken cancellationToken)
        => await RetrieveAsync<T>(await SubmitAsync(route, body, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Polls the future until it completes (its result), fails (<see cref="TinkerRequestFailedException"/>) or passes
    /// <see cref="TinkerClientOptions.FutureTimeout"/> (<see cref="TimeoutException"/>), as the SDK's APIFuture: a
    /// try_again, 408 or 5xx polls again after a growing pause, a 429 or no answer backs off exponentially (at most 30 s),
    /// a bare 400 is retried 3 times.
    /// </summary>
    public async Task<T> RetrieveAsync<T>(UntypedApiFuture future, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(future);
        var clock = Stopwatch.StartNew();
        TimeSpan pause = Options.InitialPollDelay;
        int backoffs = 0, badRequests = 0;
        const string Route = "api/v1/retrieve_future";
        while (true)
        {
            if (clock.Elapsed > Options.FutureTimeout)
            {
                throw new TimeoutException($"request {future.RequestId} did not complete within {Options.FutureTimeout}; the server may be overloaded (raise FutureTimeout) or stuck (see its log)");
            }

            using HttpResponseMessage? response = await TrySendOnceAsync(HttpMethod.Post, Route, new FutureRetrieveRequest { RequestId = future.RequestId }, null, Options.RetrieveTimeout, cancellationToken).ConfigureAwait(false);
            if (response is null || response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(Math.Pow(2, backoffs++), 30)), cancellationToken).ConfigureAwait(false);
                continue;
            }

            backoffs = 0;
            int status = (int)response.StatusCode;
            if (status == 200)
            {
                string json = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                using JsonDocument document = JsonDocument.Parse(json);
                JsonElement root = document.RootElement;
                if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("type", out JsonElement type) && type.ValueEquals("try_again"))
                {
                    await PauseAsync();
                    continue;
                }

                if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out _))
                {
                    RequestFailedResponse failed = root.Deserialize<RequestFailedResponse>(TinkerJson.Options)!;
                    throw new TinkerRequestFailedException(future.RequestId, failed.Error, failed.Category);
                }

                return root.Deserialize<T>(TinkerJson.Options) ?? throw new TinkerApiException(Route, status, $"request {future.RequestId} completed with a null result");
            }

            if (status == 408 || status >= 500)
            {
                await PauseAsync();
                continue;
            }

            string detail = await DetailAsync(response, cancellationToken).ConfigureAwait(false);
            if (status == 400 && badRequests++ < 3)
            {
                continue;
            }

            if (status == 410)
            {
                throw new TinkerApiException(Route, status, $"request {future.RequestId} expired on the server; submit it again ({detail})");
            }

            throw new TinkerApiException(Route, status, $"request {future.RequestId}: {detail}");
        }

        async Task PauseAsync()
        {
            await Task.Delay(pause, cancellationToken).ConfigureAwait(false);
            pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, Options.MaxPollDelay.Ticks));
        }
    }

    public Task<CheckpointsListResponse> ListCheckpointsAsync(string modelId, CancellationToken cancellationToken)
        => SendAsync<CheckpointsListResponse>(HttpMethod.Get, $"api/v1/training_runs/{Uri.EscapeDataString(modelId)}/checkpoints", null, cancellationToken);

    /// <summary>The archive's URL: the server's 302 Location (with its Expires), or a 200's JSON, as the SDK accepts both.</summary>
    public async Task<CheckpointArchiveUrlResponse> GetCheckpointArchiveUrlAsync(string modelId, string checkpointId, CancellationToken cancellationToken)
    {
        string route = $"api/v1/training_runs/{Uri.EscapeDataString(modelId)}/checkpoints/{checkpointId}/archive";
        using HttpResponseMessage response = await SendWithRetriesAsync(HttpMethod.Get, route, null, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Found && response.Headers.Location is { } location)
        {
            DateTimeOffset expires = response.Content.Headers.Expires ?? DateTimeOffset.UtcNow.AddMinutes(15);
            return new CheckpointArchiveUrlResponse { Url = new Uri(_http.BaseAddress!, location).ToString(), Expires = expires };
        }

        if (response.IsSuccessStatusCode)
        {
            return TinkerJson.Deserialize<CheckpointArchiveUrlResponse>(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
        }

        throw new TinkerApiException(route, (int)response.StatusCode, await DetailAsync(response, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Downloads a checkpoint's .tar.gz to <paramref name="destination"/>.</summary>
    public async Task DownloadCheckpointArchiveAsync(string modelId, string checkpointId, Stream destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        CheckpointArchiveUrlResponse url = await GetCheckpointArchiveUrlAsync(modelId, checkpointId, cancellationToken).ConfigureAwait(false);
        using HttpResponseMessage response = await _http.GetAsync(new Uri(url.Url), HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new TinkerApiException("checkpoint archive download", (int)response.StatusCode, await DetailAsync(response, cancellationToken).ConfigureAwait(false));
        }

        await response.Content.CopyToAsync(destination, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One JSON request with the SDK's retries; a refusal is a <see cref="TinkerApiException"/> with the server's detail.</summary>
    public async Task<T> SendAsync<T>(HttpMethod method, string route, object? body, CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await SendWithRetriesAsync(method, route, body, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new TinkerApiException(route, (int)response.StatusCode, await DetailAsync(response, cancellationToken).ConfigureAwait(false));
        }

        string json = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return TinkerJson.Deserialize<T>(json);
        }
        catch (JsonException ex)
        {
            throw new TinkerApiException(route, (int)response.StatusCode, $"the answer is not a {typeof(T).Name}: {ex.Message}", ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_heartbeat is not null)
        {
            try
            {
                await _heartbeat.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The loop ends by its token.
            }
        }

        _http.Dispose();
        _stopping.Dispose();
        _sessionLock.Dispose();
    }

    private static bool IsSessionLost(TinkerApiException ex) => ex.Status == 404 && ex.Detail.Contains("session", StringComparison.OrdinalIgnoreCase);

    private static async Task<string> DetailAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using JsonDocument document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("detail", out JsonElement detail))
            {
                return detail.ValueKind == JsonValueKind.String ? detail.GetString()! : detail.GetRawText();
            }
        }
        catch (JsonException)
        {
            // Not JSON: the text itself, shortened.
        }

        return body.Length > 500 ? body[..500] + "…" : body.Length == 0 ? response.ReasonPhrase ?? "no detail" : body;
    }

    /// <summary>The SDK's rule: the server's x-should-retry first, then 408, 409, 429 and 5xx.</summary>
    private static bool ShouldRetry(HttpResponseMessage response)
    {
        if (response.Headers.TryGetValues("x-should-retry", out IEnumerable<string>? values))
        {
            string value = values.FirstOrDefault() ?? string.Empty;
            if (value == "true")
            {
                return true;
            }

            if (value == "false")
            {
                return false;
            }
        }

        int status = (int)response.StatusCode;
        return status is 408 or 409 or 429 || status >= 500;
    }

    private async Task<T> InSessionAsync<T>(Func<string, Task<T>> send, CancellationToken cancellationToken)
    {
        string session = await EnsureSessionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await send(session).ConfigureAwait(false);
        }
        catch (TinkerApiException ex) when (IsSessionLost(ex))
        {
            Interlocked.CompareExchange(ref _sessionId, null, session);
            return await send(await EnsureSessionAsync(cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
        }
    }

    private async Task HeartbeatLoopAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            await Task.Delay(Options.HeartbeatInterval, stopping).ConfigureAwait(false);
            if (SessionId is not { } session)
            {
                continue;
            }

            using HttpResponseMessage? response = await TrySendOnceAsync(HttpMethod.Post, "api/v1/session_heartbeat", new SessionHeartbeatRequest { SessionId = session }, null, TimeSpan.FromSeconds(10), stopping).ConfigureAwait(false);
            if (response?.StatusCode == HttpStatusCode.NotFound)
            {
                // The server lost the session (restarted without its state, or expired it): the next request makes a new one.
                Interlocked.CompareExchange(ref _sessionId, null, session);
            }
        }
    }

    private async Task<HttpResponseMessage> SendWithRetriesAsync(HttpMethod method, string route, object? body, CancellationToken cancellationToken)
    {
        // One key for every attempt of this request, so the server can tell a retry from a new request.
        string? key = method == HttpMethod.Get ? null : $"deepresearcher-retry-{Guid.NewGuid()}";
        for (int attempt = 0; ; attempt++)
        {
            HttpResponseMessage? response = await TrySendOnceAsync(method, route, body, key, Options.RequestTimeout, cancellationToken).ConfigureAwait(false);
            bool retry = response is null || ShouldRetry(response);
            if (!retry)
            {
                return response!;
            }

            if (attempt >= Options.MaxRetries)
            {
                if (response is not null)
                {
                    return response;
                }

                throw new TinkerApiException(route, 0, $"no answer from {Options.BaseUrl} after {attempt + 1} attempts; check the server is running and the URL (tinker.base_url)");
            }

            TimeSpan delay = RetryDelay(attempt, response);
            response?.Dispose();
            Interlocked.Increment(ref _retries);
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A Retry-After(-ms) of at most 60 s as given; otherwise the SDK's 0.5 s·2^n, at most 10 s, less up to 25 % jitter.</summary>
    private TimeSpan RetryDelay(int retriesTaken, HttpResponseMessage? response)
    {
        if (response is not null)
        {
            double? seconds = null;
            if (response.Headers.TryGetValues("retry-after-ms", out IEnumerable<string>? ms)
                && double.TryParse(ms.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out double millis))
            {
                seconds = millis / 1000;
            }
            else if (response.Headers.RetryAfter is { } retryAfter)
            {
                seconds = retryAfter.Delta?.TotalSeconds ?? (retryAfter.Date - DateTimeOffset.UtcNow)?.TotalSeconds;
            }

            if (seconds is > 0 and <= 60)
            {
                return TimeSpan.FromSeconds(seconds.Value);
            }
        }

        double backoff = Math.Min(Options.InitialRetryDelay.TotalSeconds * Math.Pow(2, Math.Min(retriesTaken, 1000)), Options.MaxRetryDelay.TotalSeconds);
        return TimeSpan.FromSeconds(backoff * (1 - (0.25 * Random.Shared.NextDouble())));
    }

    /// <summary>One attempt under its own deadline: the response, or null when there was none (refused, reset, timed out).</summary>
    private async Task<HttpResponseMessage?> TrySendOnceAsync(HttpMethod method, string route, object? body, string? idempotencyKey, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, route);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, body.GetType(), TinkerJson.Options));
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = Encoding.UTF8.WebName };
        }

        if (idempotencyKey is not null)
        {
            request.Headers.Add(IdempotencyHeader, idempotencyKey);
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            HttpResponseMessage response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, deadline.Token).ConfigureAwait(false);
            return response;
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }
}
