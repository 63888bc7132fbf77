using DeepResearcher.Core.Agent;

namespace DeepResearcher.Environments.Composition;

/// <summary>A built toolbox and everything it holds open (world server, caches, HTTP clients), disposed together.</summary>
public sealed class ComposedToolbox(IToolbox toolbox, string description, IReadOnlyList<object> resources, ToolboxMetrics? metrics = null) : IAsyncDisposable
{
    /// <summary>Cache and provider instruments (a meter with no measurements when the toolbox has neither).</summary>
    public ToolboxMetrics Metrics { get; } = metrics ?? new ToolboxMetrics();

    public IToolbox Toolbox => toolbox;

    /// <summary>One line saying what the tools are (for logs and run manifests).</summary>
    public string Description => description;

    public async ValueTask DisposeAsync()
    {
        for (int i = resources.Count - 1; i >= 0; i--)
        {
            switch (resources[i])
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync();
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }

        Metrics.Dispose();
    }
}
