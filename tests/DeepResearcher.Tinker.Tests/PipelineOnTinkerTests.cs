using System.Text.Json.Nodes;
using DeepResearcher.Engine.Checkpoints;
using DeepResearcher.Engine.Model;
using DeepResearcher.Recipes.Configuration;
using DeepResearcher.Recipes.Pipeline;
using DeepResearcher.Server.Training;
using DeepResearcher.Testing;
using DeepResearcher.Tinker.Service;
using DeepResearcher.World.Building;
using DeepResearcher.World.Generation;

namespace DeepResearcher.Tinker.Tests;

/// <summary>
/// The training pipeline with <c>trainer.backend: tinker</c> against a real <c>serve training</c> on loopback, over
/// the model the in-process run initialises: the same held-out figures as in process, a server restarted in the
/// middle of GRPO without a step applied twice, a killed run resumed through load_weights, and the preflight's refusals.
/// </summary>
public sealed class PipelineOnTinkerTests : IAsyncLifetime
{
    private const string BaseName = "offline-tiny-init";

    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"dr-pipeline-tinker-{Guid.NewGuid():N}");
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
    public async Task The_offline_run_on_serve_training_gives_the_in_process_figures_and_weights()
    {
        TrainingConfig local = await ConfigAsync();
        TrainingResult inProcess = await RunAsync(local, Path.Combine(_dir, "local"));
        string initial = await new TrainingPipeline(local, Path.Combine(_dir, "init"), Quiet).WriteInitialModelAsync(Ct);
        (TrainingServer server, _) = await StartServerAsync(initial, Path.Combine(_dir, "state"), port: 0);

        TrainingResult onTinker = await RunAsync(Tinker(local, server.BaseUrl, initial), Path.Combine(_dir, "tinker"));

        // Greedy evaluations of the same model, warm-started and GRPO-trained with the same data and sampling.
        Assert.Equal(inProcess.Initial.ToString(), onTinker.Initial.ToString());
        Assert.Equal(inProcess.AfterSft.ToString(), onTinker.AfterSft.ToString());
        Assert.Equal(inProcess.AfterGrpo.ToString(), onTinker.AfterGrpo.ToString());
        Assert.Equal(RewardsOf(Path.Combine(_dir, "local")), RewardsOf(Path.Combine(_dir, "tinker")));

        // The warm start runs the same operations in the same order: its weights are the in-process ones, bit for bit.
        string serverReference = Directory.GetDirectories(Path.Combine(_dir, "state", "checkpoints"), "reference-*", SearchOption.AllDirectories).Single(d => d.Contains("sampler_weights", StringComparison.Ordinal));
        Assert.Equal(0f, MaxWeightDifference(Path.Combine(_dir, "local", "reference"), serverReference));

        // GRPO's gradient is rounded differently (Tinker's ppo multiplies the ratio by advantages already scaled by 1/N
        // and folded with the KL; in process both are applied to the sum), a last-bit difference that AdamW can turn
        // into up to a whole step (≈ lr) where a weight's gradient is near 0: so each step may move a weight by ≤ 2·lr.
        Assert.True(File.Exists(Path.Combine(onTinker.CheckpointDirectory, "model.safetensors")), "the final weights were downloaded");
        float maxDiff = MaxWeightDifference(inProcess.CheckpointDirectory, onTinker.CheckpointDirectory);
        float bound = 2f * local.Trainer.TotalSteps * (float)local.Actor.Lr;
        Assert.True(maxDiff <= bound, $"after GRPO the weights differ by up to {maxDiff}, more than 2 · steps · lr = {bound}");
        JsonNode recorded = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(onTinker.CheckpointDirectory, "tinker_checkpoint.json"), Ct))!;
        Assert.StartsWith("tinker://", recorded["sampler_path"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_restarted_in_the_middle_of_grpo_continues_the_run_with_no_step_applied_twice()
    {
        TrainingConfig local = await ConfigAsync();
        string initial = await new TrainingPipeline(local, Path.Combine(_dir, "init"), Quiet).WriteInitialModelAsync(Ct);
        string state = Path.Combine(_dir, "state");
        (TrainingServer first, TinkerService firstService) = await StartServerAsync(initial, state, port: 0);
        int port = first.BaseUrl.Port;
        TrainingConfig config = Tinker(local, first.BaseUrl, initial);
        TrainingResult straight = await RunAsync(config, Path.Combine(_dir, "straight"));

        // The same run again; when its first GRPO checkpoint is written the server goes down and comes back on the same
        // port and state: the client's retries reach the new one, which answers for the futures the old one accepted.
        Task? restart = null;
        var pipeline = new TrainingPipeline(config, Path.Combine(_dir, "restarted"), Quiet)
        {
            CheckpointWritten = (stage, step) =>
            {
                if (stage == "grpo" && step == 1 && restart is null)
                {
                    restart = Task.Run(async () =>
                    {
                        await first.DisposeAsync();
                        await firstService.DisposeAsync();
                        await Task.Delay(300, Ct);
                        await StartServerAsync(initial, state, port);
                    }, Ct);
                    restart.Wait(Ct);
                }
            },
        };
        TrainingResult restarted = await pipeline.RunAsync(Ct);

        Assert.NotNull(restart);
        Assert.Equal(straight.AfterGrpo.ToString(), restarted.AfterGrpo.ToString());
        Assert.Equal(RewardsOf(Path.Combine(_dir, "straight")), RewardsOf(Path.Combine(_dir, "restarted")));
        Assert.Equal(0f, MaxWeightDifference(straight.CheckpointDirectory, restarted.CheckpointDirectory));
    }

    [Fact]
    public async Task A_killed_run_resumes_from_the_services_checkpoint_with_the_weights_of_an_uninterrupted_run()
    {
        TrainingConfig local = await ConfigAsync();
        string initial = await new TrainingPipeline(local, Path.Combine(_dir, "init"), Quiet).WriteInitialModelAsync(Ct);
        (TrainingServer server, _) = await StartServerAsync(initial, Path.Combine(_dir, "state"), port: 0);
        TrainingConfig config = Tinker(local, server.BaseUrl, initial);
        TrainingResult straight = await RunAsync(config, Path.Combine(_dir, "straight"));

        string killed = Path.Combine(_dir, "killed");
        using (var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct))
        {
            var pipeline = new TrainingPipeline(config, killed, Quiet) { CheckpointWritten = (stage, step) => { if (stage == "grpo" && step == 1) { stop.Cancel(); } } };
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pipeline.RunAsync(stop.Token));
        }

        TrainingResult resumed = await new TrainingPipeline(config, killed, Quiet) { Resume = true }.RunAsync(Ct);

        Assert.Equal(straight.AfterGrpo.ToString(), resumed.AfterGrpo.ToString());
        Assert.Equal(RewardsOf(Path.Combine(_dir, "straight")), RewardsOf(killed));
        Assert.Equal(0f, MaxWeightDifference(straight.CheckpointDirectory, resumed.CheckpointDirectory));
    }

    [Fact]
    public async Task The_preflight_refuses_an_unreachable_server_an_unknown_base_model_and_a_bad_key_with_what_to_fix()
    {
        TrainingConfig local = await ConfigAsync();
        string initial = await new TrainingPipeline(local, Path.Combine(_dir, "init"), Quiet).WriteInitialModelAsync(Ct);

        TrainingConfig unreachable = Tinker(local, new Uri($"http://127.0.0.1:{FreeLoopbackPort.Next()}"), initial);
        ConfigException down = await Assert.ThrowsAsync<ConfigException>(() => TrainingPreflight.CheckAsync(unreachable, Ct));
        Assert.Contains("does not answer", down.Message, StringComparison.Ordinal);
        Assert.Contains("tinker.base_url", down.Message, StringComparison.Ordinal);

        (TrainingServer open, _) = await StartServerAsync(initial, Path.Combine(_dir, "state-open"), port: 0);
        TrainingConfig unknown = Tinker(local, open.BaseUrl, initial);
        unknown.Tinker.BaseModel = "Qwen/Qwen3-8B";
        ConfigException notServed = await Assert.ThrowsAsync<ConfigException>(() => TrainingPreflight.CheckAsync(unknown, Ct));
        Assert.Contains($"tinker.base_model 'Qwen/Qwen3-8B' is not served by {open.BaseUrl}; it serves: {BaseName}", notServed.Message, StringComparison.Ordinal);

        (TrainingServer locked, _) = await StartServerAsync(initial, Path.Combine(_dir, "state-locked"), port: 0, apiKey: "right-key");
        TrainingConfig wrongKey = Tinker(local, locked.BaseUrl, initial);
        wrongKey.Tinker.ApiKeyEnv = $"DR_TEST_TINKER_KEY_{Guid.NewGuid():N}";
        Environment.SetEnvironmentVariable(wrongKey.Tinker.ApiKeyEnv, "wrong-key");
        try
        {
            ConfigException refused = await Assert.ThrowsAsync<ConfigException>(() => TrainingPreflight.CheckAsync(wrongKey, Ct));
            Assert.Contains($"refused the key in {wrongKey.Tinker.ApiKeyEnv}", refused.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("wrong-key", refused.Message, StringComparison.Ordinal);
            Environment.SetEnvironmentVariable(wrongKey.Tinker.ApiKeyEnv, "right-key");
            await TrainingPreflight.CheckAsync(wrongKey, Ct);
        }
        finally
        {
            Environment.SetEnvironmentVariable(wrongKey.Tinker.ApiKeyEnv, null);
        }

        TrainingConfig remote = Tinker(local, new Uri("https://tinker.example.com"), initial);
        remote.Tinker.ApiKeyEnv = $"DR_TEST_UNSET_{Guid.NewGuid():N}";
        ConfigException noKey = await Assert.ThrowsAsync<ConfigException>(() => TrainingPreflight.CheckAsync(remote, Ct));
        Assert.Contains($"export {remote.Tinker.ApiKeyEnv}=", noKey.Message, StringComparison.Ordinal);
    }

    private static IProgress<string> Quiet { get; } = new Progress<string>(_ => { });

    private static async Task<TrainingResult> RunAsync(TrainingConfig config, string outDir)
        => await new TrainingPipeline(config, outDir, Quiet).RunAsync(Ct);

    private TrainingConfig Tinker(TrainingConfig local, Uri url, string initial)
    {
        // A copy through the YAML format, so each test's configs stay independent.
        string file = Path.Combine(_dir, $"config-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, TrainingConfigFile.ToYaml(local));
        TrainingConfig config = TrainingConfigFile.Load(file, null);
        config.Trainer.Backend = PolicyBackendKind.Tinker;
        config.Tinker.BaseUrl = url.ToString();
        config.Tinker.BaseModel = BaseName;
        config.Tinker.LoraRank = 0;
        config.Tinker.Tokenizer = Path.Combine(initial, "tokenizer.json");
        return config;
    }

    private async Task<TrainingConfig> ConfigAsync()
    {
        string world = Path.Combine(_dir, "world");
        if (!Directory.Exists(world))
        {
            await WorldBuilder.BuildAsync(new WorldBuildOptions { OutDir = world, Seed = 5, Size = WorldSizes.Parse("tiny") }, null, Ct);
        }

        TrainingConfig config = TrainingPresets.Get("offline-tiny");
        config.World.Dir = world;
        config.World.Port = FreeLoopbackPort.Next();
        config.Model.VocabSize = 400;
        config.Model.HiddenSize = 32;
        config.Model.NumLayers = 1;
        config.Model.NumHeads = 2;
        config.Model.NumKvHeads = 1;
        config.Model.IntermediateSize = 64;
        config.Data.TrainBatchSize = 2;
        config.Data.EvalQuestions = 3;
        config.Data.MaxTurns = 3;
        config.Data.MaxResponseLength = 12;
        config.Rollout.N = 3;
        config.Sft.NumDemos = 8;
        config.Sft.Steps = 4;
        config.Sft.PretrainSteps = 60;
        config.Sft.SaveFreq = 2;
        config.Sft.BatchSize = 2;
        config.Actor.DropZeroVarianceGroups = false;
        config.Trainer.TotalSteps = 3;
        config.Trainer.SaveFreq = 1;
        config.Trainer.KeepCheckpoints = 2;
        return config;
    }

    private async Task<(TrainingServer Server, TinkerService Service)> StartServerAsync(string initial, string state, int port, string? apiKey = null)
    {
        TinkerService service = await TinkerService.StartAsync(new TinkerServiceOptions
        {
            StateDirectory = state,
            BaseModels = [new BaseModelSource(BaseName, initial)],
            RetrieveWait = TimeSpan.FromSeconds(2),
            MicroBatchTokens = 8192,
        }, null, Ct);
        TrainingServer server = await TrainingServer.StartAsync(service, new TrainingServerOptions { Port = port, ApiKey = apiKey }, null, Ct);
        _owned.Add(service);
        _owned.Add(server);
        return (server, service);
    }

    private static double[] RewardsOf(string runDir)
        => [.. File.ReadAllLines(Path.Combine(runDir, "run", "metrics.jsonl")).Where(l => l.Length > 0).Select(l => JsonNode.Parse(l)!["reward_mean"]!.GetValue<double>())];

    private static float MaxWeightDifference(string a, string b)
    {
        TransformerModel left = HuggingFaceCheckpoint.Load(a);
        TransformerModel right = HuggingFaceCheckpoint.Load(b);
        float max = 0;
        foreach ((Parameter x, Parameter y) in left.Parameters.Zip(right.Parameters))
        {
            for (int i = 0; i < x.Data.Length; i++)
            {
                max = Math.Max(max, Math.Abs(x.Data[i] - y.Data[i]));
            }
        }

        return max;
    }
}
