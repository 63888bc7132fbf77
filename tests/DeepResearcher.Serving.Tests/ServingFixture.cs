using DeepResearcher.Core.Protocol.Rendering;
using DeepResearcher.Serving.Models;
using DeepResearcher.Testing;

namespace DeepResearcher.Serving.Tests;

/// <summary>A completion service over the tiny taught checkpoint, shared by a test class.</summary>
public sealed class ServingFixture : IAsyncLifetime
{
    public static ServingOptions Options { get; } = new() { MaxConcurrency = 4, MaxTokensCap = 64, MaxChoices = 4, MaxBatchSize = 4 };

    public ModelCatalog Catalog { get; private set; } = null!;

    public CompletionService Service { get; private set; } = null!;

    public ServedModel Model => Catalog.Models[0];

    public async ValueTask InitializeAsync()
    {
        TinyChatCheckpoint checkpoint = TinyChatCheckpoint.Instance;
        Catalog = await ModelCatalog.LoadAsync(checkpoint.Directory, [], Options, "tiny", CancellationToken.None);
        Service = new CompletionService(Catalog, Options);
        Assert.Same(Qwen25ChatTemplate.Instance, Model.Template);
    }

    public async ValueTask DisposeAsync() => await Catalog.DisposeAsync();
}
