using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;

namespace DeepResearcher.World.Serving;

/// <summary>A started world server. Dispose to stop it.</summary>
public sealed class RunningWorldServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _disposed;

    internal RunningWorldServer(WebApplication app, Uri baseUri, Uri? publicBase)
    {
        _app = app;
        BaseUri = baseUri;
        PublicBase = publicBase;
    }

    /// <summary>The bound base address, e.g. http://127.0.0.1:43121 (no trailing slash).</summary>
    public string BaseUrl => BaseUri.GetLeftPart(UriPartial.Authority);

    public Uri BaseUri { get; }

    public int Port => BaseUri.Port;

    /// <summary>What the links of POST /search answers start with: <see cref="WorldOrigin.Uri"/> unless the server was started with another; null = the address each request came to.</summary>
    public Uri? PublicBase { get; }

    /// <summary>Completes when the server stops (after <see cref="DisposeAsync"/> or host shutdown).</summary>
    public Task WaitForShutdownAsync(CancellationToken ct) => _app.WaitForShutdownAsync(ct);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
