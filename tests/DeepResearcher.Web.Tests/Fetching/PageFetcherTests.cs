using System.Text;
using DeepResearcher.Web.Fetching;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DeepResearcher.Web.Tests.Fetching;

public sealed class PageFetcherTests : IAsyncLifetime
{
    private WebApplication _app = null!;
    private string _base = string.Empty;

    public async ValueTask InitializeAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapGet("/page", () => Results.Content("<html><head><title>T</title></head><body><p>Hello</p></body></html>", "text/html; charset=utf-8"));
        _app.MapGet("/latin1", () => Results.Bytes(Encoding.Latin1.GetBytes("<html><head><meta charset=\"iso-8859-1\"></head><body>café</body></html>"), "text/html"));
        _app.MapGet("/cp1252", () => Results.Bytes([.. "price: "u8.ToArray(), 0x80, .. " 5"u8.ToArray()], "text/plain; charset=windows-1252"));
        _app.MapGet("/plain", () => Results.Text("just text", "text/plain"));
        _app.MapGet("/r1", () => Results.Redirect("/r2", permanent: true));
        _app.MapGet("/r2", () => Results.Redirect("/page", permanent: false));
        _app.MapGet("/loop", () => Results.Redirect("/loop"));
        _app.MapGet("/to-metadata", () => Results.Redirect("http://169.254.169.254/latest/meta-data/"));
        _app.MapGet("/missing", () => Results.NotFound());
        _app.MapGet("/boom", () => Results.StatusCode(500));
        _app.MapGet("/slow", async (CancellationToken ct) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(20), ct);
            return Results.Text("late");
        });
        _app.MapGet("/report.pdf", () => Results.Bytes(MinimalPdf("Quarterly revenue rose to 42 million"), "application/pdf"));
        _app.MapGet("/image", () => Results.Bytes([0x89, 0x50, 0x4E, 0x47], "image/png"));
        _app.MapGet("/endless", async (HttpContext context) =>
        {
            context.Response.ContentType = "text/html";
            byte[] chunk = Encoding.ASCII.GetBytes(new string('x', 64 * 1024));
            for (int i = 0; i < 1000 && !context.RequestAborted.IsCancellationRequested; i++)
            {
                await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
            }
        });
        await _app.StartAsync(TestContext.Current.CancellationToken);
        _base = _app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First().TrimEnd('/');
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private PageFetcher Fetcher(FetchOptions? options = null)
        => new((options ?? new FetchOptions()) with { AllowedPrivateOrigins = options?.AllowedPrivateOrigins.Count > 0 ? options.AllowedPrivateOrigins : [new Uri(_base)] });

    [Fact]
    public async Task Fetches_html_with_its_charset()
    {
        using PageFetcher fetcher = Fetcher();

        FetchResult page = await fetcher.FetchAsync(_base + "/page", TestContext.Current.CancellationToken);
        FetchResult latin1 = await fetcher.FetchAsync(_base + "/latin1", TestContext.Current.CancellationToken);
        FetchResult cp1252 = await fetcher.FetchAsync(_base + "/cp1252", TestContext.Current.CancellationToken);
        FetchResult plain = await fetcher.FetchAsync(_base + "/plain", TestContext.Current.CancellationToken);

        Assert.True(page.Succeeded, page.Error);
        Assert.Contains("<p>Hello</p>", page.Body, StringComparison.Ordinal);
        Assert.Equal("text/html", page.ContentType);
        Assert.Contains("café", latin1.Body, StringComparison.Ordinal);
        Assert.Equal("price: € 5", cp1252.Body);
        Assert.Equal("just text", plain.Body);
    }

    [Fact]
    public async Task Follows_redirects_and_reports_the_final_url()
    {
        using PageFetcher fetcher = Fetcher();

        FetchResult page = await fetcher.FetchAsync(_base + "/r1", TestContext.Current.CancellationToken);

        Assert.True(page.Succeeded, page.Error);
        Assert.Equal(_base + "/page", page.FinalUrl!.ToString());
    }

    [Fact]
    public async Task Stops_after_the_redirect_limit()
    {
        using PageFetcher fetcher = Fetcher();

        FetchResult page = await fetcher.FetchAsync(_base + "/loop", TestContext.Current.CancellationToken);

        Assert.Equal(FetchFailureKind.TooManyRedirects, page.Failure);
    }

    [Theory]
    [InlineData("/missing", FetchFailureKind.HttpError, "HTTP 404")]
    [InlineData("/boom", FetchFailureKind.HttpError, "HTTP 500")]
    [InlineData("/image", FetchFailureKind.UnsupportedContent, "image/png")]
    public async Task Bad_pages_fail_soft_with_the_reason(string path, FetchFailureKind kind, string message)
    {
        using PageFetcher fetcher = Fetcher();

        FetchResult page = await fetcher.FetchAsync(_base + path, TestContext.Current.CancellationToken);

        Assert.Equal(kind, page.Failure);
        Assert.Contains(message, page.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_slow_page_times_out()
    {
        using PageFetcher fetcher = Fetcher(new FetchOptions { TotalTimeout = TimeSpan.FromMilliseconds(300) });

        FetchResult page = await fetcher.FetchAsync(_base + "/slow", TestContext.Current.CancellationToken);

        Assert.Equal(FetchFailureKind.Timeout, page.Failure);
        Assert.True(page.Elapsed < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task An_endless_page_is_cut_at_the_size_limit()
    {
        using PageFetcher fetcher = Fetcher(new FetchOptions { MaxBodyBytes = 200_000 });

        FetchResult page = await fetcher.FetchAsync(_base + "/endless", TestContext.Current.CancellationToken);

        Assert.True(page.Succeeded, page.Error);
        Assert.True(page.Truncated);
        Assert.Equal(200_000, page.Body.Length);
    }

    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data/", "metadata")]
    [InlineData("http://10.0.0.1/", "private")]
    [InlineData("http://192.168.1.1/", "private")]
    [InlineData("http://[::1]/", "loopback")]
    [InlineData("http://[fe80::1]/", "link-local")]
    [InlineData("http://0.0.0.0/", "unspecified")]
    [InlineData("http://2852039166/", "metadata")]
    [InlineData("http://[::a9fe:a9fe]/", "metadata")]
    [InlineData("http://[64:ff9b::a9fe:a9fe]/", "metadata")]
    [InlineData("http://[2002:a9fe:a9fe::1]/", "metadata")]
    [InlineData("http://[::ffff:10.0.0.1]/", "private")]
    [InlineData("http://198.18.0.1/", "benchmarking")]
    public async Task Internal_addresses_are_refused(string url, string why)
    {
        using var fetcher = new PageFetcher(new FetchOptions { ConnectTimeout = TimeSpan.FromSeconds(2) });

        FetchResult page = await fetcher.FetchAsync(url, TestContext.Current.CancellationToken);

        Assert.Equal(FetchFailureKind.Blocked, page.Failure);
        Assert.Contains(why, page.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_hostname_that_resolves_to_loopback_is_refused_unless_allowlisted()
    {
        string port = new Uri(_base).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using PageFetcher guarded = Fetcher(); // allowlists http://127.0.0.1:port only, not the name
        using var allowed = new PageFetcher(new FetchOptions { AllowedPrivateOrigins = [new Uri($"http://localhost:{port}")] });

        FetchResult refused = await guarded.FetchAsync($"http://localhost:{port}/page", TestContext.Current.CancellationToken);
        FetchResult served = await allowed.FetchAsync($"http://localhost:{port}/page", TestContext.Current.CancellationToken);

        Assert.Equal(FetchFailureKind.Blocked, refused.Failure);
        Assert.Contains("localhost resolves to a loopback address", refused.Error, StringComparison.Ordinal);
        Assert.True(served.Succeeded, served.Error);
    }

    [Fact]
    public async Task Another_loopback_port_than_the_allowlisted_origin_is_refused()
    {
        await using var other = new DeepResearcher.Testing.RecordingHttpServer(_ => DeepResearcher.Testing.HttpReply.Page("<p>another service</p>"));
        using PageFetcher fetcher = Fetcher(); // allowlists this test's server origin only

        FetchResult page = await fetcher.FetchAsync(other.Url + "metrics", TestContext.Current.CancellationToken);

        Assert.Equal(FetchFailureKind.Blocked, page.Failure);
        Assert.Contains("loopback", page.Error, StringComparison.Ordinal);
        Assert.Empty(other.RequestLines);
    }

    [Fact]
    public async Task A_name_that_rebinds_inward_after_the_check_is_refused_at_connect_time()
    {
        int lookups = 0;
        using var fetcher = new PageFetcher(new FetchOptions
        {
            // The first answer (the check before the request) is public, the second (the connection) is this test's server.
            ResolveHost = (_, _) => Task.FromResult<System.Net.IPAddress[]>([Interlocked.Increment(ref lookups) == 1 ? System.Net.IPAddress.Parse("8.8.8.8") : System.Net.IPAddress.Loopback]),
        });

        FetchResult page = await fetcher.FetchAsync($"http://rebind.example:{new Uri(_base).Port}/page", TestContext.Current.CancellationToken);

        Assert.Equal(FetchFailureKind.Blocked, page.Failure);
        Assert.Contains("rebind.example resolves to a loopback address", page.Error, StringComparison.Ordinal);
        Assert.Equal(2, lookups);
    }

    [Fact]
    public async Task A_redirect_to_an_internal_address_is_refused_too()
    {
        using PageFetcher fetcher = Fetcher();

        FetchResult page = await fetcher.FetchAsync(_base + "/to-metadata", TestContext.Current.CancellationToken);

        // The target check runs before every hop, so a redirect inward is stopped like a direct request.
        Assert.Equal(FetchFailureKind.Blocked, page.Failure);
        Assert.Contains("metadata", page.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pdf_pages_are_read_through_pdftotext_or_say_how_to_enable_it()
    {
        using PageFetcher fetcher = Fetcher();

        FetchResult page = await fetcher.FetchAsync(_base + "/report.pdf", TestContext.Current.CancellationToken);

        if (PdfText.FindTool() is null)
        {
            Assert.Equal(FetchFailureKind.UnsupportedContent, page.Failure);
            Assert.Contains("apt-get install poppler-utils", page.Error, StringComparison.Ordinal);
        }
        else
        {
            Assert.True(page.Succeeded, page.Error);
            Assert.Equal("text/plain", page.ContentType);
            Assert.Contains("Quarterly revenue rose to 42 million", page.Body, StringComparison.Ordinal);
        }
    }

    /// <summary>A one-page PDF with one line of text, built with a correct cross-reference table.</summary>
    private static byte[] MinimalPdf(string text)
    {
        string[] objects =
        [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
            $"<< /Length {("BT /F1 18 Tf 72 720 Td (" + text + ") Tj ET").Length} >>\nstream\nBT /F1 18 Tf 72 720 Td ({text}) Tj ET\nendstream",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ];
        var pdf = new StringBuilder("%PDF-1.4\n");
        var offsets = new List<int>();
        for (int i = 0; i < objects.Length; i++)
        {
            offsets.Add(pdf.Length);
            pdf.Append(System.Globalization.CultureInfo.InvariantCulture, $"{i + 1} 0 obj\n{objects[i]}\nendobj\n");
        }

        int xref = pdf.Length;
        pdf.Append(System.Globalization.CultureInfo.InvariantCulture, $"xref\n0 {objects.Length + 1}\n0000000000 65535 f \n");
        foreach (int offset in offsets)
        {
            pdf.Append(System.Globalization.CultureInfo.InvariantCulture, $"{offset:D10} 00000 n \n");
        }

        pdf.Append(System.Globalization.CultureInfo.InvariantCulture, $"trailer\n<< /Size {objects.Length + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        return Encoding.ASCII.GetBytes(pdf.ToString());
    }

    [Theory]
    [InlineData("ftp://example.com/x")]
    [InlineData("not a url")]
    [InlineData("/relative/path")]
    [InlineData("")]
    public async Task Invalid_urls_are_rejected_without_a_request(string url)
    {
        using PageFetcher fetcher = Fetcher();

        FetchResult page = await fetcher.FetchAsync(url, TestContext.Current.CancellationToken);

        Assert.Equal(FetchFailureKind.InvalidUrl, page.Failure);
    }
}
