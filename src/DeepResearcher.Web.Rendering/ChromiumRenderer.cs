using DeepResearcher.Web.Fetching;
using DeepResearcher.Web.Pages;
using Microsoft.Playwright;

namespace DeepResearcher.Web.Rendering;

/// <summary>
/// Renders JavaScript-only pages in Debian's Chromium driven by Playwright (never a downloaded browser). Every request
/// the page makes goes through the same address guard as the fetcher, so a page cannot make the browser reach
/// loopback, private or metadata addresses.
/// </summary>
public sealed class ChromiumRenderer : IJavaScriptRenderer, IAsyncDisposable
{
    public const string DefaultExecutable = "/usr/bin/chromium";

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;
    private readonly AddressGuard _guard;
    private readonly TimeSpan _timeout;

    private ChromiumRenderer(IPlaywright playwright, IBrowser browser, AddressGuard guard, TimeSpan timeout)
    {
        _playwright = playwright;
        _browser = browser;
        _guard = guard;
        _timeout = timeout;
    }

    public static async Task<ChromiumRenderer> StartAsync(IReadOnlyList<Uri> allowedPrivateOrigins, TimeSpan? timeout = null, string executable = DefaultExecutable)
    {
        if (!File.Exists(executable))
        {
            throw new FileNotFoundException($"JavaScript rendering needs Chromium at {executable} (apt-get install chromium)", executable);
        }

        IPlaywright playwright = await Playwright.CreateAsync();
        try
        {
            IBrowser browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = executable,
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
            });
            return new ChromiumRenderer(playwright, browser, new AddressGuard(allowedPrivateOrigins), timeout ?? TimeSpan.FromSeconds(15));
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    public async Task<string?> RenderAsync(Uri url, CancellationToken cancellationToken)
    {
        IBrowserContext context = await _browser.NewContextAsync();
        try
        {
            IPage page = await context.NewPageAsync();
            await page.RouteAsync("**/*", async route =>
            {
                if (await IsAllowedAsync(new Uri(route.Request.Url)))
                {
                    await route.ContinueAsync();
                }
                else
                {
                    await route.AbortAsync("blockedbyclient");
                }
            });
            using CancellationTokenRegistration _ = cancellationToken.Register(() => page.CloseAsync());
            IResponse? response = await page.GotoAsync(url.ToString(), new PageGotoOptions { WaitUntil = WaitUntilState.NetworkIdle, Timeout = (float)_timeout.TotalMilliseconds });
            return response is null || response.Status >= 400 ? null : await page.ContentAsync();
        }
        catch (Exception ex) when (ex is PlaywrightException or TimeoutException)
        {
            return null;
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    private async Task<bool> IsAllowedAsync(Uri url)
    {
        if (url.Scheme is "data" or "blob" or "about")
        {
            return true;
        }

        if (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)
        {
            return false;
        }

        try
        {
            return await _guard.WhyRefusedAsync(url, viaProxy: false, CancellationToken.None) is null;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
