using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;

namespace DeepResearcher.World.Serving;

/// <summary>A started world server. Dispose to stop it.</summary>
public sealed class RunningWorldServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _disposed;

    internal RunningWorldServer(WebApplication app, Uri baseUri)
    {
        _app = app;
        BaseUri = baseUri;
    }

    /// <summary>The bound base address, e.g. http://127.0.0.1:43121 (no trailing slash).</summary>
    public string BaseUrl => BaseUri.GetLeftPart(UriPartial.Authority);

    public Uri BaseUri { get; }

    public int Port => BaseUri.Port;

    /// <summary>Completes when the server stops (after <see cref="DisposeAsync"/> or host shutdown).</summary>
    public Task WaitForShutdownAsync(CancellationToken ct) => _app.WaitForShutdownAsync(ct);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
