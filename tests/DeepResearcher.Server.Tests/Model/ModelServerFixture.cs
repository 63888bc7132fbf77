using DeepResearcher.Engine.Checkpoints;
using DeepResearcher.Engine.Model;
using DeepResearcher.Server.Model;
using DeepResearcher.Serving;
using DeepResearcher.Serving.Models;
using DeepResearcher.Testing;

namespace DeepResearcher.Server.Tests.Model;

/// <summary>The model server on a free loopback port over the tiny taught checkpoint and a zero LoRA adapter of it.</summary>
public sealed class ModelServerFixture : IAsyncLifetime
{
    public static ServingOptions Options { get; } = new() { MaxConcurrency = 4, MaxTokensCap = 64, MaxChoices = 4, MaxBatchSize = 4, MaxBodyBytes = 64 * 1024 };

    public string AdapterDirectory { get; } = Path.Combine(Path.GetTempPath(), $"dr-adapter-{Guid.NewGuid():N}");

    public ModelCatalog Catalog { get; private set; } = null!;

    public CompletionService Service { get; private set; } = null!;

    public ModelServer Server { get; private set; } = null!;

    public Uri ApiUrl => new(Server.BaseUrl, "v1/");

    public HttpClient Http { get; } = new();

    public async ValueTask InitializeAsync()
    {
        TinyChatCheckpoint checkpoint = TinyChatCheckpoint.Instance;
        TransformerModel adapted = TinyChatCheckpoint.LoadModel();
        // B starts at zero, so the adapter changes nothing: its replies equal the base's.
        adapted.AttachLora(2, 4, ["q_proj", "v_proj"]);
        await LoraCheckpoint.SaveAsync(adapted, AdapterDirectory, checkpoint.Directory, CancellationToken.None);
        Catalog = await ModelCatalog.LoadAsync(checkpoint.Directory, [new AdapterSource("tiny-lora", AdapterDirectory)], Options, "tiny", CancellationToken.None);
        Service = new CompletionService(Catalog, Options);
        Server = await ModelServer.StartAsync(Service, new ModelServerOptions { Port = 0 }, null, CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
        await Catalog.DisposeAsync();
        Directory.Delete(AdapterDirectory, recursive: true);
    }
}
