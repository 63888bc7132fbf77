using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using DeepResearcher.Web.Observability;

namespace DeepResearcher.Web.Search;

/// <summary>
/// The HTTP exchange every adapter shares: applies the timeout, maps status codes to <see cref="SearchFailureKind"/>, reads
/// <c>Retry-After</c>, parses the JSON body, and scrubs the API key from anything that ends up in an exception message.
/// </summary>
internal sealed class ProviderHttpExchange
{
    private const int MaxDetailLength = 300;

    private readonly string _provider;
    private readonly HttpClient _http;
    private readonly SearchProviderOptions _options;
    private readonly string _keyHint;

    public ProviderHttpExchange(string provider, HttpClient http, SearchProviderOptions options, Uri? defaultBaseUrl, string keyHint)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Timeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{provider}: SearchProviderOptions.Timeout must be positive (got {options.Timeout})", nameof(options));
        }

        Uri? baseUrl = options.BaseUrl ?? defaultBaseUrl;
        if (baseUrl is null)
        {
            throw new ArgumentException($"{provider}: no base URL configured; {keyHint}", nameof(options));
        }

        if (!baseUrl.IsAbsoluteUri || (baseUrl.Scheme != Uri.UriSchemeHttp && baseUrl.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"{provider}: base URL '{baseUrl}' must be an absolute http(s) URL", nameof(options));
        }

        _provider = provider;
        _http = http;
        _options = options;
        _keyHint = keyHint;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    /// <summary>Hook for provider-specific status mapping (e.g. Google's 403 "rateLimitExceeded"); null keeps the default.</summary>
    public Func<HttpStatusCode, string, SearchFailureKind?>? ClassifyError { get; init; }

    /// <summary>The key, or an <see cref="SearchFailureKind.Unauthorized"/> failure naming the variable to set.</summary>
    public string RequireKey()
    {
        if (string.IsNullOrWhiteSpace(_options.ApiKey))
        {
            throw new SearchProviderException(_provider, SearchFailureKind.Unauthorized, $"no API key configured; {_keyHint}");
        }

        return _options.ApiKey;
    }

    /// <summary><paramref name="relativePath"/> under the base URL, keeping any path prefix the base URL has (proxies, the offline world).</summary>
    public Uri Resolve(string relativePath, IEnumerable<KeyValuePair<string, string>>? query = null)
    {
        string url = BaseUrl.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/" + relativePath.TrimStart('/');
        if (query is not null)
        {
            char separator = '?';
            var builder = new System.Text.StringBuilder(url);
            foreach ((string name, string value) in query)
            {
                builder.Append(separator).Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
                separator = '&';
            }

            url = builder.ToString();
        }

        return new Uri(url);
    }

    public async Task<JsonDocument> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // The host only, never the URL: some providers take their key in the query string.
        using Activity? span = WebTracing.Source.StartActivity(ActivityKind.Client, tags:
            [new(WebTracing.ProviderTag, _provider), new(WebTracing.ServerAddressTag, request.RequestUri?.Host)], name: "search.request");
        try
        {
            return await ExchangeAsync(request, span, cancellationToken).ConfigureAwait(false);
        }
        catch (SearchProviderException ex)
        {
            span?.SetTag("deepresearcher.search.failure", ex.Kind.ToString().ToLowerInvariant());
            span?.SetStatus(ActivityStatusCode.Error, ex.Message);
            throw;
        }
    }

    private async Task<JsonDocument> ExchangeAsync(HttpRequestMessage request, Activity? span, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.Timeout);
        try
        {
            using HttpResponseMessage response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
            span?.SetTag(WebTracing.HttpStatusTag, (int)response.StatusCode);
            string body = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw Failure(response, body);
            }

            try
            {
                return JsonDocument.Parse(body);
            }
            catch (JsonException ex)
            {
                throw new SearchProviderException(_provider, SearchFailureKind.BadResponse,
                    $"HTTP {(int)response.StatusCode}: the response is not valid JSON ({Scrub(ex.Message)}); body starts with '{Excerpt(body, 80)}'");
            }
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SearchProviderException(_provider, SearchFailureKind.Unavailable,
                $"no answer within {_options.Timeout.TotalSeconds:0.###} s (SearchProviderOptions.Timeout)", inner: ex);
        }
        catch (HttpRequestException ex)
        {
            throw new SearchProviderException(_provider, SearchFailureKind.Unavailable,
                $"could not reach {BaseUrl.GetLeftPart(UriPartial.Authority)}: {Scrub(ex.Message)}", inner: new HttpRequestException(Scrub(ex.Message), null, ex.StatusCode));
        }
        catch (IOException ex)
        {
            throw new SearchProviderException(_provider, SearchFailureKind.Unavailable, $"the connection broke while reading the answer: {Scrub(ex.Message)}");
        }
    }

    public SearchProviderException BadShape(string what) =>
        new(_provider, SearchFailureKind.BadResponse, $"unexpected response shape: {what}");

    private SearchProviderException Failure(HttpResponseMessage response, string body)
    {
        HttpStatusCode status = response.StatusCode;
        int code = (int)status;
        string detail = ErrorDetail(body);
        string said = detail.Length == 0 ? string.Empty : $" (provider said: {detail})";
        SearchFailureKind kind = ClassifyError?.Invoke(status, body) ?? DefaultKind(code);
        TimeSpan? retryAfter = RetryAfter(response.Headers.RetryAfter);
        string message = kind switch
        {
            SearchFailureKind.Unauthorized => string.IsNullOrEmpty(_options.ApiKey)
                ? $"HTTP {code}: access was refused; {_keyHint}{said}"
                : $"HTTP {code}: the API key was rejected or is out of credit; {_keyHint}{said}",
            SearchFailureKind.RateLimited => $"HTTP {code}: rate limited{(retryAfter is { } wait ? $", retry after {wait.TotalSeconds:0.###} s" : string.Empty)}{said}",
            SearchFailureKind.BadRequest => code == 404
                ? $"HTTP 404: no such endpoint; check the base URL {Scrub(BaseUrl.ToString())}{said}"
                : $"HTTP {code}: the request was rejected; check the query and parameters{said}",
            SearchFailureKind.BadResponse => $"HTTP {code}: unexpected status{said}",
            _ => $"HTTP {code}: the service is unavailable{said}",
        };
        return new SearchProviderException(_provider, kind, message, retryAfter);
    }

    private static SearchFailureKind DefaultKind(int code) => code switch
    {
        401 or 402 or 403 => SearchFailureKind.Unauthorized,
        408 => SearchFailureKind.Unavailable,
        429 => SearchFailureKind.RateLimited,
        >= 500 => SearchFailureKind.Unavailable,
        >= 400 => SearchFailureKind.BadRequest,
        _ => SearchFailureKind.BadResponse,
    };

    private TimeSpan? RetryAfter(RetryConditionHeaderValue? header)
    {
        if (header?.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (header?.Date is { } date)
        {
            TimeSpan wait = date - _options.TimeProvider.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }

    /// <summary>The provider's own error text from the usual JSON shapes, else the start of the body.</summary>
    private string ErrorDetail(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return string.Empty;
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(body);
            string? text = FindMessage(document.RootElement);
            if (text is not null)
            {
                return Excerpt(text, MaxDetailLength);
            }
        }
        catch (JsonException)
        {
        }

        // Not JSON (an HTML error page from a proxy): its text without the markup.
        return Excerpt(SnippetText.Clean(body), MaxDetailLength);
    }

    private static string? FindMessage(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        // Serper {"message"}, Google {"error":{"message"}}, Brave {"error":{"detail"}}, Tavily {"detail":{"error"}} or {"detail":"…"}.
        foreach (string name in (ReadOnlySpan<string>)["message", "error", "detail"])
        {
            if (!root.TryGetProperty(name, out JsonElement value))
            {
                continue;
            }

            if (value.ValueKind == JsonValueKind.String)
            {
                return value.GetString();
            }

            if (value.ValueKind == JsonValueKind.Object)
            {
                foreach (string inner in (ReadOnlySpan<string>)["message", "detail", "error", "code"])
                {
                    if (value.TryGetProperty(inner, out JsonElement text) && text.ValueKind == JsonValueKind.String)
                    {
                        return text.GetString();
                    }
                }
            }
        }

        return null;
    }

    private string Excerpt(string text, int max)
    {
        string oneLine = SnippetText.CollapseWhitespace(Scrub(text));
        return oneLine.Length <= max ? oneLine : string.Concat(oneLine.AsSpan(0, max), "…");
    }

    /// <summary>Some services echo the request (URL or body) in their errors; the key must never reach a message or a log.</summary>
    private string Scrub(string text)
    {
        string? key = _options.ApiKey;
        if (string.IsNullOrEmpty(key) || key.Length < 4)
        {
            return text;
        }

        text = text.Replace(key, "[redacted]", StringComparison.Ordinal);
        string escaped = Uri.EscapeDataString(key);
        return escaped == key ? text : text.Replace(escaped, "[redacted]", StringComparison.Ordinal);
    }

    public static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
