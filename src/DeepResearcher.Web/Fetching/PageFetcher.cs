using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;

namespace DeepResearcher.Web.Fetching;

/// <summary>
/// Fetches web pages the way the browsing agent needs them: bounded in time, size and redirects, decoded to text,
/// guarded against server-side request forgery, and never throwing for a bad page (the result says what went wrong).
/// </summary>
public sealed class PageFetcher : IDisposable
{
    private readonly FetchOptions _options;
    private readonly AddressGuard _guard;
    private readonly FetchProxyRoute? _proxy;
    private readonly HttpClient _client;
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _hostSlots = new(StringComparer.OrdinalIgnoreCase);

    static PageFetcher()
    {
        // Windows-1252, Shift_JIS, GBK… are common on the real web and not built into .NET without this.
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
    }

    public PageFetcher(FetchOptions? options = null)
    {
        _options = options ?? new FetchOptions();
        _guard = new AddressGuard(_options.AllowedPrivateOrigins, _options.ResolveHost);
        _proxy = _options.Proxy.CreateWebProxy() as FetchProxyRoute;
        _client = new HttpClient(CreateHandler(_options, _guard, _proxy), disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public FetchOptions Options => _options;

    /// <summary>
    /// The handler with the connect-time address check. It is private on purpose: alone it cannot see the target behind
    /// a proxy, so the target check before each request (<see cref="FetchFollowingRedirectsAsync"/>) must come with it.
    /// </summary>
    private static SocketsHttpHandler CreateHandler(FetchOptions options, AddressGuard guard, FetchProxyRoute? proxy) => new()
    {
        AllowAutoRedirect = false, // redirects are followed by hand, to count them, check each hop and report the final URL
        ConnectTimeout = options.ConnectTimeout,
        AutomaticDecompression = DecompressionMethods.All,
        UseCookies = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        MaxConnectionsPerServer = Math.Max(1, options.MaxConcurrencyPerHost),
        // Without an explicit proxy, none: the environment's HTTP_PROXY must not silently route around the guard.
        UseProxy = proxy is not null,
        Proxy = proxy,
        ConnectCallback = (context, cancellationToken) => ConnectAsync(guard, proxy, context, cancellationToken),
    };

    public async Task<FetchResult> FetchAsync(string url, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        if (!Uri.TryCreate(url?.Trim(), UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            var placeholder = new Uri("about:invalid");
            return FetchResult.Failed(uri ?? placeholder, FetchFailureKind.InvalidUrl, $"'{url}' is not an absolute http(s) URL", clock.Elapsed);
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.TotalTimeout);
        SemaphoreSlim slot = _hostSlots.GetOrAdd(uri.Host, _ => new SemaphoreSlim(Math.Max(1, _options.MaxConcurrencyPerHost)));
        try
        {
            await slot.WaitAsync(deadline.Token);
            try
            {
                return await FetchFollowingRedirectsAsync(uri, clock, deadline.Token);
            }
            finally
            {
                slot.Release();
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return FetchResult.Failed(uri, FetchFailureKind.Timeout, $"no complete answer within {_options.TotalTimeout.TotalSeconds:0.#} s", clock.Elapsed);
        }
        catch (Exception ex) when (ex is HttpRequestException or SocketException)
        {
            return FetchResult.Failed(uri, Classify(ex, out string message), message, clock.Elapsed);
        }
    }

    private async Task<FetchResult> FetchFollowingRedirectsAsync(Uri requested, Stopwatch clock, CancellationToken cancellationToken)
    {
        Uri current = requested;
        for (int hop = 0; ; hop++)
        {
            // The target itself, before anything is sent: through a proxy the connect callback only sees the proxy.
            bool viaProxy = _proxy?.Proxy.For(current) is not null;
            if (await _guard.WhyRefusedAsync(current, viaProxy, cancellationToken) is { } refusal)
            {
                return FetchResult.Failed(requested, FetchFailureKind.Blocked, Refused(refusal), clock.Elapsed) with { FinalUrl = current };
            }

            using var request = new HttpRequestMessage(HttpMethod.Get, current);
            request.Headers.UserAgent.ParseAdd(_options.UserAgent);
            request.Headers.Accept.ParseAdd("text/html,application/xhtml+xml,text/plain;q=0.9,application/pdf;q=0.8,*/*;q=0.5");
            request.Headers.AcceptLanguage.ParseAdd("en-US,en;q=0.9");
            using HttpResponseMessage response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            int status = (int)response.StatusCode;
            if (status is >= 300 and < 400 && response.Headers.Location is { } location)
            {
                if (hop >= _options.MaxRedirects)
                {
                    return FetchResult.Failed(requested, FetchFailureKind.TooManyRedirects, $"more than {_options.MaxRedirects} redirects (last to {location})", clock.Elapsed, status);
                }

                Uri next = location.IsAbsoluteUri ? location : new Uri(current, location);
                if (next.Scheme != Uri.UriSchemeHttp && next.Scheme != Uri.UriSchemeHttps)
                {
                    return FetchResult.Failed(requested, FetchFailureKind.InvalidUrl, $"redirect to a non-http URL ({next})", clock.Elapsed, status);
                }

                current = next;
                continue;
            }

            if (status >= 400)
            {
                return FetchResult.Failed(requested, FetchFailureKind.HttpError, $"HTTP {status} {response.ReasonPhrase}".TrimEnd(), clock.Elapsed, status) with { FinalUrl = current };
            }

            MediaTypeHeaderValue? contentType = response.Content.Headers.ContentType;
            string mediaType = contentType?.MediaType?.ToLowerInvariant() ?? "text/html";
            (byte[] bytes, bool truncated) = await ReadBoundedAsync(response.Content, cancellationToken);

            if (mediaType == "application/pdf")
            {
                PdfText pdf = await PdfText.ExtractAsync(bytes, cancellationToken);
                return pdf.Text is null
                    ? FetchResult.Failed(requested, FetchFailureKind.UnsupportedContent, pdf.Error!, clock.Elapsed, status) with { FinalUrl = current, ContentType = mediaType }
                    : new FetchResult { RequestedUrl = requested, FinalUrl = current, StatusCode = status, ContentType = "text/plain", Body = pdf.Text, Truncated = truncated, Elapsed = clock.Elapsed };
            }

            if (!IsText(mediaType))
            {
                return FetchResult.Failed(requested, FetchFailureKind.UnsupportedContent, $"unsupported content type '{mediaType}': only HTML, plain text and PDF pages can be read", clock.Elapsed, status)
                    with { FinalUrl = current, ContentType = mediaType };
            }

            Encoding encoding = CharsetDetector.Detect(contentType?.CharSet, bytes);
            return new FetchResult
            {
                RequestedUrl = requested,
                FinalUrl = current,
                StatusCode = status,
                ContentType = mediaType,
                Body = encoding.GetString(bytes),
                Truncated = truncated,
                Elapsed = clock.Elapsed,
            };
        }
    }

    private async Task<(byte[] Bytes, bool Truncated)> ReadBoundedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using Stream stream = await content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream();
        byte[] chunk = new byte[81920];
        long limit = _options.MaxBodyBytes;
        while (true)
        {
            int read = await stream.ReadAsync(chunk, cancellationToken);
            if (read == 0)
            {
                return (buffer.ToArray(), false);
            }

            int keep = (int)Math.Min(read, limit - buffer.Length);
            buffer.Write(chunk, 0, keep);
            if (buffer.Length >= limit)
            {
                // Stop reading: an endless or giant page must not hold the connection or the memory.
                return (buffer.ToArray(), true);
            }
        }
    }

    private static bool IsText(string mediaType)
        => mediaType.StartsWith("text/", StringComparison.Ordinal) || mediaType is "application/xhtml+xml" or "application/xml";

    private static string Refused(string why)
        => $"{why}: refused to prevent server-side request forgery (allowlist its origin, scheme://host:port, in AllowedPrivateOrigins if it is yours)";

    private static async ValueTask<Stream> ConnectAsync(AddressGuard guard, FetchProxyRoute? proxy, SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        string host = context.DnsEndPoint.Host;
        int port = context.DnsEndPoint.Port;
        Uri? target = context.InitialRequestMessage.RequestUri;
        IPAddress[] addresses = await guard.ResolveAsync(host, cancellationToken);
        // The proxy's own address is exempt (it is often on loopback or the corporate network); the target behind it
        // was checked before the request. Any other connection is a direct one and its addresses are checked again here,
        // so a name that re-resolves inward since that check (DNS rebinding) is still refused.
        bool exempt = target is not null && (proxy?.IsProxyOf(target, host, port) == true || guard.IsOriginAllowlisted(target.Scheme, host, port));
        if (!exempt && AddressGuard.WhyAnyBlocked(host, addresses) is { } refusal)
        {
            throw new BlockedAddressException(Refused(refusal));
        }

        Exception? lastError = null;
        foreach (IPAddress address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException)
            {
                socket.Dispose();
                lastError = ex;
                if (ex is OperationCanceledException)
                {
                    throw;
                }
            }
        }

        throw lastError ?? new SocketException((int)SocketError.HostNotFound);
    }

    private static FetchFailureKind Classify(Exception ex, out string message)
    {
        for (Exception? inner = ex; inner is not null; inner = inner.InnerException)
        {
            switch (inner)
            {
                case BlockedAddressException blocked:
                    message = blocked.Message;
                    return FetchFailureKind.Blocked;
                case SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain } dns:
                    message = $"DNS lookup failed ({dns.SocketErrorCode})";
                    return FetchFailureKind.DnsFailure;
                case SocketException socket:
                    message = $"connection failed ({socket.SocketErrorCode})";
                    return FetchFailureKind.ConnectionFailed;
                case TimeoutException:
                    message = "connection timed out";
                    return FetchFailureKind.Timeout;
            }
        }

        message = ex.Message;
        return FetchFailureKind.ConnectionFailed;
    }

    public void Dispose()
    {
        _client.Dispose();
        foreach (SemaphoreSlim slot in _hostSlots.Values)
        {
            slot.Dispose();
        }
    }
}
