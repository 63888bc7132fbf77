using Microsoft.Extensions.Hosting;

namespace DeepResearcher.World.Serving;

/// <summary>
/// Replaces the default console lifetime, which would capture Ctrl+C and SIGTERM for the whole process: the world server is
/// embedded in other programs (the CLI, training jobs, tests) and stops only when its owner disposes it.
/// </summary>
internal sealed class EmbeddedHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
