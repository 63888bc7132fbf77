using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using DeepResearcher.Engine.Sampling;
using DeepResearcher.Server.Training;
using DeepResearcher.Testing;
using DeepResearcher.Tinker.Client;
using DeepResearcher.Tinker.Service;
using DeepResearcher.Tinker.Wire;
using DeepResearcher.Training.Backends;
using DeepResearcher.Training.Grpo;

namespace DeepResearcher.Tinker.Tests;

/// <summary>
/// <see cref="TinkerBackend"/> against a real <c>serve training</c> (TinkerService behind TrainingServer) on loopback,
/// over the tiny chat checkpoint: training matches the in-process engine, sampling, checkpoints, restarts, faults.
/// </summary>
public sealed class TrainingServerTests : IAsyncLifetime
{
    private const string Base = "tiny";
    private const int Rank = 4;
    private const long Seed = 11;

    private static readonly AdamParams Adam = new() { LearningRate = 1e-2f, WeightDecay = 0f, GradClipNorm = 0f };

    private readonly string _root = Path.Combine(Path.GetTempPath(), $"dr-tinker-{Guid.NewGuid():N}");
    private readonly List<IAsyncDisposable> _owned = [];
    private TrainingServer _server = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _server = await StartAsync(Path.Combine(_root, "state"));

    public async ValueTask DisposeAsync()
    {
        for (int i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync();
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a file still open leaves the directory to the temp cleaner.
        }
    }

    [Fact]
    public async Task Cross_entropy_steps_over_http_lower_the_loss_and_match_the_engine_in_process()
    {
        TinkerClient client = Client(_server.BaseUrl);
        TinkerBackend remote = await TinkerBackend.CreateAsync(client, Base, Rank, Seed, Ct);
        TrainedModel local = Own(TrainedModel.Create(TinyChatCheckpoint.Instance.Directory, Rank, 32f, Seed, 4096));
        IReadOnlyList<TokenDatum> data = Lessons();
        var losses = new List<double>();

        for (int step = 0; step < 3; step++)
        {
            ForwardBackwardResult overHttp = await remote.ForwardBackwardAsync(data, LossFunction.CrossEntropy, null, Ct);
            ForwardBackwardResult inProcess = await local.Backend.ForwardBackwardAsync(data, LossFunction.CrossEntropy, null, Ct);
            OptimStepResult remoteStep = await remote.OptimStepAsync(Adam, Ct);
            OptimStepResult localStep = await local.Backend.OptimStepAsync(Adam, Ct);

            Assert.Equal(inProcess.Loss, overHttp.Loss, 1e-4);
            Assert.Equal(localStep.GradNorm, remoteStep.GradNorm, 1e-3);
            Assert.Equal(step + 1, remoteStep.WeightVersion);
            losses.Add(overHttp.Loss);
        }

        IReadOnlyList<float[]> remoteLogProbs = await remote.ComputeLogProbsAsync(data, Ct);
        IReadOnlyList<float[]> localLogProbs = await local.Backend.ComputeLogProbsAsync(data, Ct);
        Assert.True(losses[2] < losses[0] - 1e-3, $"the loss did not go down: {string.Join(", ", losses)}");
        for (int d = 0; d < data.Count; d++)
        {
            Assert.Equal(localLogProbs[d].Length, remoteLogProbs[d].Length);
            Assert.All(localLogProbs[d].Zip(remoteLogProbs[d]), p => Assert.Equal(p.First, p.Second, 1e-4f));
        }
    }

    [Fact]
    public async Task Rank_zero_trains_every_weight_and_samples_the_trained_weights()
    {
        TinkerClient client = Client(_server.BaseUrl);
        TinkerBackend remote = await TinkerBackend.CreateAsync(client, Base, 0, Seed, Ct);
        TrainedModel local = Own(TrainedModel.Create(TinyChatCheckpoint.Instance.Directory, 0, 32f, Seed, 4096));
        IReadOnlyList<TokenDatum> data = Lessons();
        int[] prompt = data[0].InputTokens[..8];
        var greedy = new DecodingOptions { Temperature = 0f, MaxNewTokens = 4 };

        await TrainStepAsync(remote, data);
        await TrainStepAsync(local.Backend, data);
        PolicySample remoteSample = await remote.SampleAsync(new SamplingRequest(prompt, greedy), Ct);
        PolicySample localSample = await local.Backend.SampleAsync(new SamplingRequest(prompt, greedy), Ct);
        CheckpointsListResponse listed = await client.ListCheckpointsAsync(remote.ModelId, Ct);
        using var archive = new MemoryStream();
        await client.DownloadCheckpointArchiveAsync(remote.ModelId, listed.Checkpoints.Single().CheckpointId, archive, Ct);

        Assert.Empty(local.Model.LoraAdapters);
        Assert.Equal(1, remoteSample.WeightVersion);
        Assert.Equal(localSample.TokenIds, remoteSample.TokenIds);
        Assert.All(localSample.LogProbs.Zip(remoteSample.LogProbs), p => Assert.Equal(p.First, p.Second, 1e-4f));
        Assert.Contains("model.safetensors", ArchiveEntries(archive));
    }

    [Fact]
    public async Task Sampling_returns_tokens_with_their_log_probs_and_the_prompt_log_probs_of_the_current_weights()
    {
        TinkerClient client = Client(_server.BaseUrl);
        TinkerBackend remote = await TinkerBackend.CreateAsync(client, Base, Rank, Seed, Ct);
        TrainedModel local = Own(TrainedModel.Create(TinyChatCheckpoint.Instance.Directory, Rank, 32f, Seed, 4096));
        int[] prompt = TinyChatCheckpoint.Instance.Tokenizer.Encode(TinyChatCheckpoint.PlainPrompt);
        var greedy = new DecodingOptions { Temperature = 0f, MaxNewTokens = 12 };

        (SampleResponse sampled, long version) = await remote.SampleManyAsync(prompt, 3, new DecodingOptions { MaxNewTokens = 6, Seed = 5 }, promptLogProbs: true, Ct);
        PolicySample remoteGreedy = await remote.SampleAsync(new SamplingRequest(prompt, greedy), Ct);
        PolicySample localGreedy = await local.Backend.SampleAsync(new SamplingRequest(prompt, greedy), Ct);
        float[] localPrompt = (await local.Backend.ComputeLogProbsAsync([new TokenDatum(prompt[..^1], prompt[1..], new byte[prompt.Length - 1])], Ct))[0];

        Assert.Equal(0, version);
        Assert.Equal(3, sampled.Sequences.Count);
        Assert.All(sampled.Sequences, s =>
        {
            Assert.InRange(s.Tokens.Count, 1, 6);
            Assert.Equal(s.Tokens.Count, s.Logprobs!.Count);
            Assert.All(s.Logprobs, lp => Assert.True(lp <= 0));
            Assert.Contains(s.StopReason, new[] { "stop", "length" });
        });
        Assert.Equal(prompt.Length, sampled.PromptLogprobs!.Count);
        Assert.Null(sampled.PromptLogprobs[0]);
        Assert.All(localPrompt.Select((lp, i) => (lp, remote: sampled.PromptLogprobs[i + 1]!.Value)), p => Assert.Equal(p.lp, p.remote, 1e-4f));
        Assert.Equal(localGreedy.TokenIds, remoteGreedy.TokenIds);
        Assert.All(localGreedy.LogProbs.Zip(remoteGreedy.LogProbs), p => Assert.Equal(p.First, p.Second, 1e-4f));
    }

    [Fact]
    public async Task Reference_log_probs_through_a_sampling_client_match_the_engine_for_many_datums_at_once()
    {
        TinkerClient client = Client(_server.BaseUrl);
        TrainedModel local = Own(TrainedModel.Create(TinyChatCheckpoint.Instance.Directory, Rank, 32f, Seed, 4096));
        // Twenty datums of different lengths: more than one micro-batch's worth goes through the batched scorer.
        IReadOnlyList<TokenDatum> lessons = Lessons();
        List<TokenDatum> data = [.. Enumerable.Range(0, 20).Select(i =>
        {
            TokenDatum d = lessons[i % 2];
            int n = d.Length - (i % 5);
            return new TokenDatum(d.InputTokens[..n], d.TargetTokens[..n], d.LossMask[..n]);
        })];

        IReadOnlyList<float[]> remote = await TinkerSamplerLogProbs.OfBaseModel(client, Base).ComputeLogProbsAsync(data, Ct);
        IReadOnlyList<float[]> expected = await local.Backend.ComputeLogProbsAsync(data, Ct);

        Assert.Equal(data.Count, remote.Count);
        for (int i = 0; i < data.Count; i++)
        {
            Assert.Equal(expected[i].Length, remote[i].Length);
            Assert.All(expected[i].Zip(remote[i]), p => Assert.Equal(p.First, p.Second, 1e-4f));
        }
    }

    [Fact]
    public async Task The_prompt_scorer_batches_waiting_prompts_and_its_next_token_is_the_samplers()
    {
        LoadedSampler loaded = SamplerCache.Load(TinyChatCheckpoint.Instance.Directory, null, microBatchTokens: 4096);
        var tokenizer = TinyChatCheckpoint.Instance.Tokenizer;
        int[][] prompts = [tokenizer.Encode(TinyChatCheckpoint.PlainPrompt), tokenizer.Encode(TinyChatCheckpoint.ToolPrompt)];
        var greedy = new DecodingOptions { Temperature = 0f, MaxNewTokens = 1 };

        // Hold the lock so that all eight requests queue; the first to take it then scores them together.
        await loaded.Scorer.ForwardLock.WaitAsync(Ct);
        Task<(float?[] PromptLogProbs, SampledToken[] Next)>[] scored = [.. Enumerable.Range(0, 8).Select(i => loaded.Scorer.ScoreAsync(prompts[i % 2], [greedy], Ct))];
        await Task.Delay(50, Ct);
        loaded.Scorer.ForwardLock.Release();
        var results = await Task.WhenAll(scored);
        SamplingResult[] sampled = await Task.WhenAll(prompts.Select(p => loaded.Sampler.SubmitAsync(new SamplingRequest(p, greedy), Ct)));
        var single = new List<float[]>();
        foreach (int[] p in prompts)
        {
            single.Add((await new EngineLogProbSource(loaded.Sampler.Model, 4096).ComputeLogProbsAsync([new TokenDatum(p[..^1], p[1..], new byte[p.Length - 1])], Ct))[0]);
        }

        Assert.Equal(8, loaded.Scorer.Prompts);
        Assert.Equal(1, loaded.Scorer.Passes);
        for (int i = 0; i < results.Length; i++)
        {
            (float?[] promptLogProbs, SampledToken[] next) = results[i];
            Assert.Null(promptLogProbs[0]);
            Assert.All(single[i % 2].Select((lp, t) => (lp, scored: promptLogProbs[t + 1]!.Value)), p => Assert.Equal(p.lp, p.scored, 1e-4f));
            Assert.Equal(sampled[i % 2].TokenIds[0], Assert.Single(next).Id);
            Assert.Equal(sampled[i % 2].LogProbs[0], next[0].LogProb, 1e-4f);
        }

        await loaded.Sampler.DisposeAsync();
    }

    [Fact]
    public async Task Saved_weights_load_back_exactly_and_checkpoints_list_and_download_as_archives()
    {
        TinkerClient client = Client(_server.BaseUrl);
        TinkerBackend remote = await TinkerBackend.CreateAsync(client, Base, Rank, Seed, Ct);
        IReadOnlyList<TokenDatum> data = Lessons();
        await TrainStepAsync(remote, data);
        string path = await remote.SaveWeightsAsync("after-one", Ct);
        float[] saved = (await remote.ComputeLogProbsAsync(data, Ct))[0];
        await TrainStepAsync(remote, data);
        float[] moved = (await remote.ComputeLogProbsAsync(data, Ct))[0];
        await remote.LoadWeightsAsync(path, optimizer: true, Ct);
        float[] loaded = (await remote.ComputeLogProbsAsync(data, Ct))[0];
        await remote.SampleAsync(new SamplingRequest(data[0].InputTokens[..4], new DecodingOptions { MaxNewTokens = 2 }), Ct);
        CheckpointsListResponse listed = await client.ListCheckpointsAsync(remote.ModelId, Ct);
        Checkpoint sampler = listed.Checkpoints.Single(c => c.CheckpointType == "sampler");
        using var archive = new MemoryStream();
        await client.DownloadCheckpointArchiveAsync(remote.ModelId, sampler.CheckpointId, archive, Ct);

        Assert.Equal($"tinker://{remote.ModelId}/weights/after-one", path);
        Assert.NotEqual(saved, moved);
        Assert.Equal(saved, loaded);
        Assert.Equal(3, remote.WeightVersion);
        Assert.Contains(listed.Checkpoints, c => c.CheckpointId == "weights/after-one" && c.CheckpointType == "training" && c.TinkerPath == path && c.SizeBytes > 0);
        Assert.Equal(new[] { "adapter_config.json", "adapter_model.safetensors" }, ArchiveEntries(archive).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_restarted_server_answers_the_futures_it_accepted_and_applies_each_once()
    {
        string state = Path.Combine(_root, "restart");
        TrainingServer first = await StartAsync(state);
        TinkerClient client = Client(first.BaseUrl);
        TinkerBackend remote = await TinkerBackend.CreateAsync(client, Base, Rank, Seed, Ct);
        IReadOnlyList<TokenDatum> data = Lessons();
        await TrainStepAsync(remote, data);
        UntypedApiFuture[] accepted =
        [
            await client.SubmitAsync("api/v1/forward_backward", CrossEntropyRequest(remote.ModelId, 3, data), Ct),
            await client.SubmitAsync("api/v1/optim_step", new OptimStepRequest { ModelId = remote.ModelId, SeqId = 4, AdamParams = new AdamParamsWire { LearningRate = 1e-2, Beta2 = 0.999, Eps = 1e-8 } }, Ct),
            await client.SubmitAsync("api/v1/forward", new ForwardRequest { ModelId = remote.ModelId, SeqId = 5, ForwardInput = CrossEntropyRequest(remote.ModelId, 5, data).ForwardBackwardInput }, Ct),
        ];
        await StopAsync(first);

        TrainingServer second = await StartAsync(state);
        TinkerClient after = Client(second.BaseUrl);
        ForwardBackwardOutput fb = await after.RetrieveAsync<ForwardBackwardOutput>(accepted[0], Ct);
        OptimStepResponse step = await after.RetrieveAsync<OptimStepResponse>(accepted[1], Ct);
        ForwardBackwardOutput forward = await after.RetrieveAsync<ForwardBackwardOutput>(accepted[2], Ct);
        UntypedApiFuture resent = await after.SubmitAsync("api/v1/forward_backward", CrossEntropyRequest(remote.ModelId, 3, data), Ct);

        // A new request makes the restarted server rebuild the model from its creation by replaying what it applied.
        ForwardBackwardOutput replayed = await after.CallAsync<ForwardBackwardOutput>("api/v1/forward", new ForwardRequest { ModelId = remote.ModelId, SeqId = 6, ForwardInput = CrossEntropyRequest(remote.ModelId, 6, data).ForwardBackwardInput }, Ct);

        TrainedModel local = Own(TrainedModel.Create(TinyChatCheckpoint.Instance.Directory, Rank, 32f, Seed, 4096));
        await TrainStepAsync(local.Backend, data);
        await TrainStepAsync(local.Backend, data);
        float[] expected = (await local.Backend.ComputeLogProbsAsync(data, Ct))[0];
        Assert.True(fb.Metrics["loss:sum"] > 0);
        Assert.True(step.Metrics!["grad_norm"] > 0);
        Assert.All(expected.Zip(forward.LossFnOutputs[0]["logprobs"].Data), p => Assert.Equal(p.First, (float)p.Second, 1e-4f));
        Assert.All(expected.Zip(replayed.LossFnOutputs[0]["logprobs"].Data), p => Assert.Equal(p.First, (float)p.Second, 1e-4f));
        Assert.Equal(accepted[0].RequestId, resent.RequestId);
    }

    [Fact]
    public async Task A_429_storm_is_retried_with_one_idempotency_key_and_the_request_applied_once()
    {
        await using FaultInjectingProxy proxy = await FaultInjectingProxy.StartAsync(_server.BaseUrl, "/api/v1/optim_step", failures: 4, Ct);
        TinkerClient client = Client(proxy.BaseUrl);
        TinkerBackend remote = await TinkerBackend.CreateAsync(client, Base, Rank, Seed, Ct);
        IReadOnlyList<TokenDatum> data = Lessons();

        await remote.ForwardBackwardAsync(data, LossFunction.CrossEntropy, null, Ct);
        OptimStepResult step = await remote.OptimStepAsync(Adam, Ct);

        Assert.Equal(5, proxy.IdempotencyKeys.Count);
        Assert.Single(proxy.IdempotencyKeys.Distinct());
        Assert.StartsWith("deepresearcher-retry-", proxy.IdempotencyKeys.First(), StringComparison.Ordinal);
        Assert.True(client.Retries >= 4);
        Assert.Equal(1, step.WeightVersion);
    }

    [Fact]
    public async Task A_session_the_server_lost_is_created_again()
    {
        int port = FreeLoopbackPort.Next();
        TrainingServer first = await StartAsync(Path.Combine(_root, "lost-a"), port: port);
        TinkerClient client = Client(first.BaseUrl);
        string session = await client.EnsureSessionAsync(Ct);
        await StopAsync(first);
        await StartAsync(Path.Combine(_root, "lost-b"), port: port);

        TinkerBackend remote = await TinkerBackend.CreateAsync(client, Base, Rank, Seed, Ct);

        Assert.NotEqual(session, client.SessionId);
        Assert.Equal(2, client.SessionsCreated);
        Assert.StartsWith("model_", remote.ModelId, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_sdk_fixtures_are_accepted_and_the_losses_are_tinkers_sums()
    {
        using var http = new HttpClient { BaseAddress = _server.BaseUrl };
        string session = (await PostAsync(http, "create_session", WireFormatTests.Fixture("create_session_request")))["session_id"]!.GetValue<string>();
        JsonNode createModel = JsonNode.Parse(WireFormatTests.Fixture("create_model_request"))!;
        createModel["session_id"] = session;
        createModel["base_model"] = Base;
        createModel["lora_config"]!["rank"] = Rank;
        string modelId = (await PostAsync(http, "create_model", createModel.ToJsonString()))["model_id"]!.GetValue<string>();
        await using TinkerClient client = new(new TinkerClientOptions { BaseUrl = _server.BaseUrl });

        var outputs = new Dictionary<string, ForwardBackwardOutput>(StringComparer.Ordinal);
        foreach (string fixture in new[] { "forward_backward_request_cross_entropy", "forward_backward_request_importance_sampling", "forward_backward_request_ppo", "forward_request" })
        {
            JsonNode body = JsonNode.Parse(WireFormatTests.Fixture(fixture))!;
            body["model_id"] = modelId;
            string route = fixture == "forward_request" ? "forward" : "forward_backward";
            JsonNode future = await PostAsync(http, route, body.ToJsonString());
            outputs[fixture] = await client.RetrieveAsync<ForwardBackwardOutput>(new UntypedApiFuture { RequestId = future["request_id"]!.GetValue<string>() }, Ct);
        }

        double[] lp = [.. outputs["forward_request"].LossFnOutputs[0]["logprobs"].Data];
        double[] old = [-1.5, -0.25, -2.0];
        double crossEntropy = -(0.5 * lp[1]) - (0.5 * lp[2]);
        double importance = -((Math.Exp(lp[1] - old[1]) * 0.75) + (Math.Exp(lp[2] - old[2]) * 0.75));
        double ppo = -Enumerable.Range(1, 2).Sum(t => Math.Min(Math.Exp(lp[t] - old[t]) * -0.5, Math.Clamp(Math.Exp(lp[t] - old[t]), 0.8, 1.2) * -0.5));
        Assert.Equal(crossEntropy, outputs["forward_backward_request_cross_entropy"].Metrics["loss:sum"], 1e-4);
        Assert.Equal(importance, outputs["forward_backward_request_importance_sampling"].Metrics["loss:sum"], 1e-4);
        Assert.Equal(ppo, outputs["forward_backward_request_ppo"].Metrics["loss:sum"], 1e-4);
        Assert.Equal(0, outputs["forward_request"].Metrics["loss:sum"], 1e-9);
        Assert.Equal(-0.5 * lp[2], outputs["forward_backward_request_cross_entropy"].LossFnOutputs[0]["elementwise_loss"].Data[2], 1e-4);
    }

    [Fact]
    public async Task Bad_requests_are_refused_with_the_problem_and_the_fix()
    {
        using var http = new HttpClient { BaseAddress = _server.BaseUrl };
        TinkerClient client = Client(_server.BaseUrl);
        TinkerBackend remote = await TinkerBackend.CreateAsync(client, Base, Rank, Seed, Ct);
        await remote.ForwardBackwardAsync(Lessons(), LossFunction.CrossEntropy, null, Ct);
        JsonNode noTargets = JsonNode.Parse(WireFormatTests.Fixture("forward_backward_request_cross_entropy"))!;
        noTargets["model_id"] = remote.ModelId;
        noTargets["forward_backward_input"]!["data"]![0]!["loss_fn_inputs"]!.AsObject().Remove("target_tokens");
        JsonNode unknownLoss = JsonNode.Parse(WireFormatTests.Fixture("forward_backward_request_cross_entropy"))!;
        unknownLoss["model_id"] = remote.ModelId;
        unknownLoss["forward_backward_input"]!["loss_fn"] = "dpo";

        using HttpResponseMessage missing = await http.PostAsync("api/v1/forward_backward", Json(noTargets.ToJsonString()), Ct);
        using HttpResponseMessage unknown = await http.PostAsync("api/v1/forward_backward", Json(unknownLoss.ToJsonString()), Ct);
        using HttpResponseMessage noModel = await http.PostAsync("api/v1/optim_step", Json(WireFormatTests.Fixture("optim_step_request")), Ct);
        using HttpResponseMessage badBase = await http.PostAsync("api/v1/create_model", Json(WireFormatTests.Fixture("create_model_request").Replace("session_abc", client.SessionId, StringComparison.Ordinal)), Ct);
        using HttpResponseMessage reused = await http.PostAsync("api/v1/forward_backward", Json(TinkerJson.Serialize(CrossEntropyRequest(remote.ModelId, 1, [Lessons()[0]]))), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Contains("target_tokens is required", await missing.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("use cross_entropy, importance_sampling or ppo", await unknown.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, noModel.StatusCode);
        Assert.Contains("create it with create_model", await noModel.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, badBase.StatusCode);
        Assert.Contains("get_server_capabilities lists tiny", await badBase.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, reused.StatusCode);
        Assert.Equal("false", reused.Headers.GetValues("x-should-retry").Single());
    }

    [Fact]
    public async Task With_an_api_key_only_healthz_answers_a_client_without_it()
    {
        TrainingServer guarded = await StartAsync(Path.Combine(_root, "keyed"), apiKey: "tml-test-key");
        TinkerClient anonymous = Client(guarded.BaseUrl);
        TinkerClient keyed = Client(guarded.BaseUrl, "tml-test-key");

        HealthResponse health = await anonymous.HealthAsync(Ct);
        TinkerApiException refused = await Assert.ThrowsAsync<TinkerApiException>(() => anonymous.GetServerCapabilitiesAsync(Ct));
        GetServerCapabilitiesResponse capabilities = await keyed.GetServerCapabilitiesAsync(Ct);

        Assert.Equal("ok", health.Status);
        Assert.Equal(401, refused.Status);
        Assert.Contains("X-API-Key", refused.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("tml-test-key", refused.Message, StringComparison.Ordinal);
        Assert.Equal(Base, capabilities.SupportedModels.Single().ModelName);
        Assert.Equal(1024, capabilities.SupportedModels.Single().MaxContextLength);
        Assert.DoesNotContain("tml-test-key", keyed.Options.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_retried_post_with_the_same_idempotency_key_gets_the_first_answer()
    {
        using var http = new HttpClient { BaseAddress = _server.BaseUrl };

        async Task<string> CreateAsync(string key)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/create_session") { Content = Json(WireFormatTests.Fixture("create_session_request")) };
            request.Headers.Add("X-Idempotency-Key", key);
            using HttpResponseMessage response = await http.SendAsync(request, Ct);
            return JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["session_id"]!.GetValue<string>();
        }

        string first = await CreateAsync("key-1");
        string again = await CreateAsync("key-1");
        string other = await CreateAsync("key-2");

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public async Task A_grpo_step_as_tinkers_ppo_with_the_kl_folded_in_is_the_in_process_update()
    {
        TinkerClient client = Client(_server.BaseUrl);
        TinkerBackend remote = await TinkerBackend.CreateAsync(client, Base, Rank, Seed, Ct);
        TrainedModel local = Own(TrainedModel.Create(TinyChatCheckpoint.Instance.Directory, Rank, 32f, Seed, 4096));
        IReadOnlyList<TokenDatum> lessons = Lessons();
        IReadOnlyList<float[]> current = await local.Backend.ComputeLogProbsAsync(lessons, Ct);

        // On-policy (sampling log-probs are the current ones, as after a fresh rollout), opposite advantages, and a
        // reference the policy has drifted from by up to 0.4 nats, so the KL term's gradient is far from zero.
        List<TokenDatum> batch = [.. lessons.Select((d, i) => d with
        {
            SamplingLogProbs = current[i],
            Advantages = [.. Enumerable.Repeat(i == 0 ? 1.3f : -0.7f, d.Length)],
            ReferenceLogProbs = [.. current[i].Select((lp, t) => lp - (0.2f * (t % 3)))],
        })];
        var options = new GrpoLossOptions { KlCoefficient = 0.5 };
        var adam = new AdamParams { LearningRate = 1e-3f, WeightDecay = 0f, GradClipNorm = 0f };

        ForwardBackwardResult inProcess = await local.Backend.ForwardBackwardAsync(batch, LossFunction.Grpo, options, Ct);
        ForwardBackwardResult overHttp = await remote.ForwardBackwardAsync(batch, LossFunction.Grpo, options, Ct);
        OptimStepResult localStep = await local.Backend.OptimStepAsync(adam, Ct);
        OptimStepResult remoteStep = await remote.OptimStepAsync(adam, Ct);

        Assert.True(inProcess.Kl > 0.01, $"the reference is too close to test the KL: {inProcess.Kl}");
        Assert.Equal(inProcess.Loss, overHttp.Loss, 1e-5);
        Assert.Equal(inProcess.PolicyLoss, overHttp.PolicyLoss, 1e-5);
        Assert.Equal(inProcess.Kl, overHttp.Kl, 1e-5);
        Assert.Equal(localStep.GradNorm, remoteStep.GradNorm, 1e-4 * localStep.GradNorm);
        IReadOnlyList<float[]> afterLocal = await local.Backend.ComputeLogProbsAsync(lessons, Ct);
        IReadOnlyList<float[]> afterRemote = await remote.ComputeLogProbsAsync(lessons, Ct);
        double moved = 0;
        for (int d = 0; d < lessons.Count; d++)
        {
            for (int t = 0; t < lessons[d].Length; t++)
            {
                Assert.Equal(afterLocal[d][t], afterRemote[d][t], 1e-4);
                moved = Math.Max(moved, Math.Abs(afterLocal[d][t] - current[d][t]));
            }
        }

        Assert.True(moved > 1e-3, $"the step did not move the policy: {moved}");
    }

    [Fact]
    public async Task A_grpo_loss_the_ppo_loss_cannot_express_is_refused_with_the_setting_to_change()
    {
        TinkerBackend remote = await TinkerBackend.CreateAsync(Client(_server.BaseUrl), Base, Rank, Seed, Ct);
        IReadOnlyList<TokenDatum> lessons = Lessons();
        List<TokenDatum> batch = [.. lessons.Select(d => d with { SamplingLogProbs = new float[d.Length], Advantages = new float[d.Length] })];

        NotSupportedException entropy = await Assert.ThrowsAsync<NotSupportedException>(() => remote.ForwardBackwardAsync(batch, LossFunction.Grpo, new GrpoLossOptions { KlCoefficient = 0, EntropyCoefficient = 0.001 }, Ct));
        Assert.Contains("actor.entropy_coeff", entropy.Message, StringComparison.Ordinal);
        NotSupportedException constant = await Assert.ThrowsAsync<NotSupportedException>(() => remote.ForwardBackwardAsync(batch, LossFunction.Grpo, new GrpoLossOptions { KlCoefficient = 0, Aggregation = LossAggregation.ConstantNormalizer }, Ct));
        Assert.Contains("token-mean", constant.Message, StringComparison.Ordinal);
    }

    private static IReadOnlyList<TokenDatum> Lessons()
    {
        var tokenizer = TinyChatCheckpoint.Instance.Tokenizer;
        var data = new List<TokenDatum>();
        foreach ((string prompt, string reply) in new[] { (TinyChatCheckpoint.PlainPrompt, "<answer>Goodbye</answer>"), (TinyChatCheckpoint.ToolPrompt, "<answer>Paris</answer>") })
        {
            int[] p = tokenizer.Encode(prompt), r = tokenizer.Encode(reply);
            int[] sequence = [.. p, .. r];
            byte[] mask = [.. Enumerable.Range(1, sequence.Length - 1).Select(t => t >= p.Length ? (byte)1 : (byte)0)];
            data.Add(new TokenDatum(sequence[..^1], sequence[1..], mask));
        }

        return data;
    }

    private static ForwardBackwardRequest CrossEntropyRequest(string modelId, int seqId, IReadOnlyList<TokenDatum> data)
    {
        int count = data.Sum(d => d.LossTokens);
        return new ForwardBackwardRequest
        {
            ModelId = modelId,
            SeqId = seqId,
            ForwardBackwardInput = new ForwardBackwardInput
            {
                LossFn = "cross_entropy",
                Data = [.. data.Select(d => new Datum
                {
                    ModelInput = new ModelInput { Chunks = [new EncodedTextChunk { Tokens = d.InputTokens }] },
                    LossFnInputs = new(StringComparer.Ordinal)
                    {
                        ["target_tokens"] = TensorData.FromInts(d.TargetTokens),
                        ["weights"] = TensorData.FromFloats([.. d.LossMask.Select(m => m / (float)count)]),
                    },
                })],
            },
        };
    }

    private static async Task TrainStepAsync(IPolicyBackend backend, IReadOnlyList<TokenDatum> data)
    {
        await backend.ForwardBackwardAsync(data, LossFunction.CrossEntropy, null, Ct);
        await backend.OptimStepAsync(new AdamParams { LearningRate = 1e-2f, Beta2 = 0.999f, Epsilon = 1e-8f, WeightDecay = 0f, GradClipNorm = 0f }, Ct);
    }

    private static IEnumerable<string> ArchiveEntries(MemoryStream archive)
    {
        archive.Position = 0;
        using var gzip = new GZipStream(archive, CompressionMode.Decompress, leaveOpen: true);
        using var tar = new TarReader(gzip);
        var names = new List<string>();
        while (tar.GetNextEntry() is { } entry)
        {
            names.Add(entry.Name.TrimStart('.', '/'));
        }

        return names;
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<JsonNode> PostAsync(HttpClient http, string route, string json)
    {
        using HttpResponseMessage response = await http.PostAsync($"api/v1/{route}", Json(json), Ct);
        string body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, $"{route}: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!;
    }

    private T Own<T>(T disposable)
        where T : IAsyncDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }

    private TinkerClient Client(Uri baseUrl, string? apiKey = null) => Own(new TinkerClient(new TinkerClientOptions
    {
        BaseUrl = baseUrl,
        ApiKey = apiKey,
        InitialRetryDelay = TimeSpan.FromMilliseconds(10),
        MaxRetryDelay = TimeSpan.FromMilliseconds(50),
        FutureTimeout = TimeSpan.FromMinutes(5),
    }));

    private async Task<TrainingServer> StartAsync(string state, string? apiKey = null, int port = 0)
    {
        TinkerService service = Own(await TinkerService.StartAsync(new TinkerServiceOptions
        {
            StateDirectory = state,
            BaseModels = [new BaseModelSource(Base, TinyChatCheckpoint.Instance.Directory)],
            RetrieveWait = TimeSpan.FromSeconds(2),
        }, null, Ct));
        return Own(await TrainingServer.StartAsync(service, new TrainingServerOptions { Port = port, ApiKey = apiKey }, null, Ct));
    }

    /// <summary>Stops a server and its service now (as a crash would, but letting the store close), leaving the rest owned.</summary>
    private async Task StopAsync(TrainingServer server)
    {
        int at = _owned.IndexOf(server);
        await server.DisposeAsync();
        await _owned[at - 1].DisposeAsync();
        _owned.RemoveRange(at - 1, 2);
    }
}
