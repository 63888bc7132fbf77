using System.Text.Json.Nodes;
using DeepResearcher.Environments.World;
using DeepResearcher.Recipes.Configuration;
using DeepResearcher.Recipes.Pipeline;
using DeepResearcher.Server.Training;
using DeepResearcher.Testing;
using DeepResearcher.Tinker.Service;
using DeepResearcher.World.Building;
using DeepResearcher.World.Generation;

namespace DeepResearcher.Tinker.Tests;

/// <summary>
/// The tinker-qwen3-8b preset run end to end with only its keys, URLs and sizes set: a real <c>serve training</c>
/// offering a small chat checkpoint under the name Qwen/Qwen3-8B, Serper's wire format served by an offline world on
/// loopback as the search API, the original's question files. Everything but the remote services is the product's own.
/// </summary>
public sealed class PresetOnTinkerTests : IAsyncLifetime
{
    private const string BaseModel = "Qwen/Qwen3-8B";

    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"dr-preset-tinker-{Guid.NewGuid():N}");
    private readonly List<IAsyncDisposable> _owned = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        for (int i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync();
        }

        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a file still open leaves the directory to the temp cleaner.
        }
    }

    [Fact]
    public async Task The_tinker_qwen3_8b_preset_trains_on_the_service_with_web_search_from_keys_and_urls_alone()
    {
        string world = Path.Combine(_dir, "world");
        await WorldBuilder.BuildAsync(new WorldBuildOptions { OutDir = world, Seed = 5, Size = WorldSizes.Parse("tiny") }, null, Ct);
        OfflineWorld search = await OfflineWorld.StartAsync(world, searchOverHttp: true, 0, Ct);
        _owned.Add(search);
        TinkerService service = await TinkerService.StartAsync(new TinkerServiceOptions
        {
            StateDirectory = Path.Combine(_dir, "state"),
            BaseModels = [new BaseModelSource(BaseModel, TinyChatCheckpoint.Instance.Directory)],
            RetrieveWait = TimeSpan.FromSeconds(2),
        }, null, Ct);
        _owned.Add(service);
        TrainingServer server = await TrainingServer.StartAsync(service, new TrainingServerOptions(), null, Ct);
        _owned.Add(server);

        string train = Path.Combine(_dir, "train.jsonl"), val = Path.Combine(_dir, "val.jsonl");
        await File.WriteAllLinesAsync(train, ["{\"id\": \"t1\", \"question\": \"Find the capital of Freedonia.\", \"answers\": [\"Fredville\"]}", "{\"id\": \"t2\", \"question\": \"Say hello.\", \"answers\": [\"hello\"]}"], Ct);
        await File.WriteAllLinesAsync(val, ["{\"id\": \"v1\", \"question\": \"Say hello.\", \"answers\": [\"Hello there\"]}"], Ct);

        // The user's part: keys and URLs (here loopback fakes of the remote services), and this test's small sizes.
        TrainingConfig config = TrainingPresets.Get("tinker-qwen3-8b");
        config.Tinker.BaseUrl = server.BaseUrl.ToString();
        config.Tinker.Tokenizer = Path.Combine(TinyChatCheckpoint.Instance.Directory, "tokenizer.json");
        config.Tinker.LoraRank = 4;
        config.Tools.Reader = "extractive";
        config.Data.TrainFiles = train;
        config.Data.ValFiles = val;
        config.Data.TrainBatchSize = 2;
        config.Data.MaxTurns = 2;
        config.Data.MaxResponseLength = 24;
        config.Data.MaxModelLen = 1024;
        config.Rollout.N = 2;
        config.Trainer.TotalSteps = 1;
        Environment.SetEnvironmentVariable("SERPER_API_KEY", "offline-world");
        Environment.SetEnvironmentVariable("SERPER_BASE_URL", search.Server.BaseUrl);
        try
        {
            TrainingResult result = await new TrainingPipeline(config, Path.Combine(_dir, "run"), new Progress<string>(_ => { })).RunAsync(Ct);

            Assert.Equal(1, result.AfterGrpo.Questions);
            Assert.Single(File.ReadAllLines(Path.Combine(_dir, "run", "run", "metrics.jsonl")), l => l.Length > 0);
            JsonNode manifest = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(_dir, "run", "run", DeepResearcher.Evaluation.Runs.RunFiles.Manifest), Ct))!;
            Assert.Equal($"{BaseModel} on {server.BaseUrl} (LoRA rank 4)", manifest["model"]!.GetValue<string>());
            Assert.StartsWith("web search", manifest["tools"]!.GetValue<string>(), StringComparison.Ordinal);
            JsonNode recorded = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(result.CheckpointDirectory, "tinker_checkpoint.json"), Ct))!;
            Assert.Equal(BaseModel, recorded["base_model"]!.GetValue<string>());
            Assert.True(File.Exists(Path.Combine(result.CheckpointDirectory, "adapter_model.safetensors")), "the LoRA adapter was downloaded from the service's archive");
        }
        finally
        {
            Environment.SetEnvironmentVariable("SERPER_API_KEY", null);
            Environment.SetEnvironmentVariable("SERPER_BASE_URL", null);
        }
    }

    [Fact]
    public async Task The_preset_without_search_keys_or_a_reader_fails_its_preflight_with_what_to_set()
    {
        string train = Path.Combine(_dir, "train.jsonl");
        Directory.CreateDirectory(_dir);
        await File.WriteAllLinesAsync(train, ["{\"id\": \"t1\", \"question\": \"Q?\", \"answers\": [\"A\"]}"], Ct);
        TrainingConfig config = TrainingPresets.Get("tinker-qwen3-8b");

        ConfigException missing = await Assert.ThrowsAsync<ConfigException>(() => TrainingPreflight.CheckAsync(config, Ct));
        Assert.Contains("tinker.base_url", missing.Message, StringComparison.Ordinal);
        Assert.Contains("tinker.tokenizer", missing.Message, StringComparison.Ordinal);
        Assert.Contains("tools.reader_url", missing.Message, StringComparison.Ordinal);
        Assert.Contains("data.train_files", missing.Message, StringComparison.Ordinal);

        TinkerService service = await TinkerService.StartAsync(new TinkerServiceOptions
        {
            StateDirectory = Path.Combine(_dir, "state"),
            BaseModels = [new BaseModelSource(BaseModel, TinyChatCheckpoint.Instance.Directory)],
        }, null, Ct);
        _owned.Add(service);
        TrainingServer server = await TrainingServer.StartAsync(service, new TrainingServerOptions(), null, Ct);
        _owned.Add(server);
        config.Tinker.BaseUrl = server.BaseUrl.ToString();
        config.Tinker.Tokenizer = Path.Combine(TinyChatCheckpoint.Instance.Directory, "tokenizer.json");
        config.Data.TrainFiles = train;
        config.Data.ValFiles = train;
        config.Tools.ReaderUrl = $"http://127.0.0.1:{FreeLoopbackPort.Next()}/v1";
        config.Tools.ReaderModel = "Qwen/Qwen2.5-7B-Instruct";
        config.Tools.Search = "serper";
        Environment.SetEnvironmentVariable("SERPER_API_KEY", "key");
        try
        {
            ConfigException reader = await Assert.ThrowsAsync<ConfigException>(() => TrainingPreflight.CheckAsync(config, Ct));
            Assert.Contains($"the reader at {config.Tools.ReaderUrl} does not answer", reader.Message, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("SERPER_API_KEY", null);
        }

        config.Tools.Search = "auto";
        ConfigException noKeys = await Assert.ThrowsAsync<ConfigException>(() => TrainingPreflight.CheckAsync(config, Ct));
        Assert.Contains("SERPER_API_KEY", noKeys.Message, StringComparison.Ordinal);
    }
}
