using DeepResearcher.Web.Fetching;
using DeepResearcher.Web.Pages;
using DeepResearcher.Web.Rendering;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DeepResearcher.Cli.Tests;

/// <summary>The optional JavaScript path: Debian's Chromium through Playwright, behind the same address guard.</summary>
public sealed class JavaScriptRenderingTests : IAsyncLifetime
{
    private const string ScriptPage = """
        <html><head><title>App</title></head><body><div id="app"></div>
        <script>document.getElementById('app').innerHTML = '<p>' + 'The capital of Freedonia is Fredville, written by a script. '.repeat(6) + '</p>';</script>
        </body></html>
        """;

    private WebApplication _app = null!;
    private Uri _base = null!;

    public async ValueTask InitializeAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapGet("/app", () => Results.Content(ScriptPage, "text/html"));
        await _app.StartAsync(TestContext.Current.CancellationToken);
        _base = new Uri(_app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task A_script_built_page_is_readable_only_with_rendering()
    {
        if (!File.Exists(ChromiumRenderer.DefaultExecutable))
        {
            Assert.Skip("Chromium is not installed (scripts/test.sh installs it)");
        }

        CancellationToken ct = TestContext.Current.CancellationToken;
        using var fetcher = new PageFetcher(new FetchOptions { AllowedPrivateOrigins = [_base] });
        await using ChromiumRenderer renderer = await ChromiumRenderer.StartAsync([_base]);

        PageContent plain = await new HttpPageSource(fetcher).GetAsync(new Uri(_base, "app").ToString(), ct);
        PageContent rendered = await new HttpPageSource(fetcher, renderer: renderer).GetAsync(new Uri(_base, "app").ToString(), ct);

        Assert.Contains("no readable text", plain.Error, StringComparison.Ordinal);
        Assert.Null(rendered.Error);
        Assert.Contains("written by a script", string.Concat(rendered.Segments), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_browser_is_behind_the_address_guard()
    {
        if (!File.Exists(ChromiumRenderer.DefaultExecutable))
        {
            Assert.Skip("Chromium is not installed (scripts/test.sh installs it)");
        }

        await using ChromiumRenderer renderer = await ChromiumRenderer.StartAsync([_base]);

        // localhost resolves to loopback and is not the allowlisted origin: the browser's request is aborted.
        string? html = await renderer.RenderAsync(new Uri($"http://localhost:{_base.Port}/app"), TestContext.Current.CancellationToken);

        Assert.Null(html);
    }
}
