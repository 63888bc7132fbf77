using System.Collections.Concurrent;
using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;
using DeepResearcher.Engine.Checkpoints;
using DeepResearcher.Engine.Sampling;
using DeepResearcher.Tinker.Wire;
using DeepResearcher.Training.Backends;
using DeepResearcher.Training.Checkpoints;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DeepResearcher.Tinker.Service;

/// <summary>
/// The Tinker API over this project's engine, without HTTP: what <c>deepresearcher serve training</c> hosts. Every
/// training request is accepted as a future (persisted before its id is returned) and applied by its model's queue
/// in order; sampling runs beside training on immutable sampler snapshots. After a restart the service answers for
/// every future it accepted: completed ones from the store, pending ones by processing them, and a model's weights
/// are rebuilt by replaying its completed requests from its creation (deterministic on the engine).
/// </summary>
public sealed class TinkerService : IAsyncDisposable
{
    private readonly TinkerStore _store;
    private readonly ILogger _logger;
    private readonly Dictionary<string, BaseModelSource> _baseModels;
    private int _disposed;
    private readonly ConcurrentDictionary<string, ModelQueue> _queues = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, TaskCompletionSource> _done = new();
    private readonly SamplerCache _samplers;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Task, byte> _sampling = new();
    private readonly ConcurrentDictionary<long, byte> _queued = new();

    private TinkerService(TinkerServiceOptions options, TinkerStore store, ILogger logger)
    {
        Options = options;
        _store = store;
        _logger = logger;
        _baseModels = options.BaseModels.ToDictionary(b => b.Name, StringComparer.Ordinal);
        _samplers = new SamplerCache(options.MaxLoadedSamplers);
    }

    public TinkerServiceOptions Options { get; }

    public TinkerStore Store => _store;

    /// <summary>Opens (or reopens) the state directory, checks the base models, and resumes the pending requests.</summary>
    public static async Task<TinkerService> StartAsync(TinkerServiceOptions options, ILogger? logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.BaseModels.Count == 0)
        {
            throw new ArgumentException("the training server needs at least one base model (a checkpoint directory with config.json and model.safetensors)");
        }

        foreach (BaseModelSource source in options.BaseModels)
        {
            if (!File.Exists(Path.Combine(source.Directory, HuggingFaceCheckpoint.ConfigFileName)))
            {
                throw new ArgumentException($"base model '{source.Name}': '{source.Directory}' has no {HuggingFaceCheckpoint.ConfigFileName}; give a Hugging Face checkpoint directory as train exports it");
            }
        }

        if (options.BaseModels.Select(b => b.Name).Distinct(StringComparer.Ordinal).Count() != options.BaseModels.Count)
        {
            throw new ArgumentException("two base models share a name; name them apart with NAME=DIR");
        }

        TinkerStore store = await TinkerStore.OpenAsync(Path.Combine(options.StateDirectory, "tinker.db"), cancellationToken).ConfigureAwait(false);
        var service = new TinkerService(options, store, logger ?? NullLogger.Instance);
        foreach (StoredFuture future in await store.PendingFuturesAsync(cancellationToken).ConfigureAwait(false))
        {
            service.Dispatch(future);
        }

        return service;
    }

    public static HealthResponse Health() => new();

    public GetServerCapabilitiesResponse Capabilities() => new()
    {
        SupportedModels = [.. Options.BaseModels.Select(b => new SupportedModel { ModelName = b.Name, MaxContextLength = ReadContextLength(b.Directory) })],
    };

    public async Task<CreateSessionResponse> CreateSessionAsync(CreateSessionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        string id = $"session_{Guid.NewGuid():N}"[..24];
        await _store.AddSessionAsync(id, TinkerJson.Serialize(request), cancellationToken).ConfigureAwait(false);
        return new CreateSessionResponse { SessionId = id };
    }

    public async Task<SessionHeartbeatResponse> HeartbeatAsync(SessionHeartbeatRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!await _store.HeartbeatAsync(request.SessionId, cancellationToken).ConfigureAwait(false))
        {
            throw SessionNotFound(request.SessionId);
        }

        return new SessionHeartbeatResponse();
    }

    public async Task<CreateSamplingSessionResponse> CreateSamplingSessionAsync(CreateSamplingSessionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        await RequireSessionAsync(request.SessionId, cancellationToken).ConfigureAwait(false);
        if ((request.BaseModel is null) == (request.ModelPath is null))
        {
            throw new TinkerServiceException(400, "give exactly one of base_model or model_path");
        }

        if (request.BaseModel is not null)
        {
            RequireBaseModel(request.BaseModel);
        }
        else
        {
            await RequireSamplerCheckpointAsync(request.ModelPath!, cancellationToken).ConfigureAwait(false);
        }

        string id = await _store.AddSamplingSessionAsync($"sampling_{Guid.NewGuid():N}"[..25], request.SessionId, request.SamplingSessionSeqId, request.BaseModel, request.ModelPath, cancellationToken).ConfigureAwait(false);
        return new CreateSamplingSessionResponse { SamplingSessionId = id };
    }

    public async Task<UntypedApiFuture> CreateModelAsync(CreateModelRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        await RequireSessionAsync(request.SessionId, cancellationToken).ConfigureAwait(false);
        RequireBaseModel(request.BaseModel);
        int rank = request.LoraConfig?.Rank ?? 0;
        if (rank < 0 || rank > 1024)
        {
            throw new TinkerServiceException(400, $"lora_config.rank {rank} is out of range; give 1..1024 for LoRA, or 0 to train all weights");
        }

        long seed = request.LoraConfig?.Seed ?? Random.Shared.NextInt64(int.MaxValue);
        var proposed = new StoredModel($"model_{Guid.NewGuid():N}"[..22], request.SessionId, request.ModelSeqId, request.BaseModel, rank, seed, 0);
        StoredModel model = await _store.AddModelAsync(proposed, TinkerJson.Serialize(request), cancellationToken).ConfigureAwait(false);
        if (ReferenceEquals(model, proposed) || model.ModelId == proposed.ModelId)
        {
            Dispatch((await _store.GetFutureAsync(model.CreateRequestId, cancellationToken).ConfigureAwait(false))!);
        }

        return new UntypedApiFuture { RequestId = Id(model.CreateRequestId), ModelId = model.ModelId };
    }

    public Task<UntypedApiFuture> ForwardAsync(ForwardRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ValidateInput(request.ForwardInput);
        return AcceptAsync(FutureKind.Forward, request.ModelId, request.SeqId, TinkerJson.Serialize(request), cancellationToken);
    }

    public Task<UntypedApiFuture> ForwardBackwardAsync(ForwardBackwardRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ValidateInput(request.ForwardBackwardInput);
        return AcceptAsync(FutureKind.ForwardBackward, request.ModelId, request.SeqId, TinkerJson.Serialize(request), cancellationToken);
    }

    public Task<UntypedApiFuture> OptimStepAsync(OptimStepRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        AdamParamsWire adam = request.AdamParams;
        if (!(adam.LearningRate >= 0 && adam.Beta1 is >= 0 and < 1 && adam.Beta2 is >= 0 and < 1 && adam.Eps > 0 && adam.WeightDecay >= 0 && adam.GradClipNorm >= 0))
        {
            throw new TinkerServiceException(400, "adam_params out of range: learning_rate ≥ 0, 0 ≤ beta1, beta2 < 1, eps > 0, weight_decay ≥ 0, grad_clip_norm ≥ 0 (0: no clipping)");
        }

        return AcceptAsync(FutureKind.OptimStep, request.ModelId, request.SeqId, TinkerJson.Serialize(request), cancellationToken);
    }

    public Task<UntypedApiFuture> SaveWeightsAsync(SaveWeightsRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        RequireName(request.Path, "path");
        return AcceptAsync(FutureKind.SaveWeights, request.ModelId, request.SeqId, TinkerJson.Serialize(request), cancellationToken);
    }

    public async Task<UntypedApiFuture> LoadWeightsAsync(LoadWeightsRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ModelId is null)
        {
            throw new TinkerServiceException(400, "load_weights needs model_id here (create-via-load with session_id and model_seq_id is not served); create_model first");
        }

        if (!TinkerPath.TryParse(request.Path, out TinkerPath? path) || path.Kind != TinkerPath.Weights)
        {
            throw new TinkerServiceException(400, $"load_weights path '{request.Path}' must be tinker://MODEL_ID/weights/NAME, as save_weights returned it");
        }

        if (await _store.GetCheckpointAsync(path.ModelId, path.Kind, path.Name, cancellationToken).ConfigureAwait(false) is null)
        {
            throw new TinkerServiceException(404, $"checkpoint {path} not found; list a model's checkpoints with GET /api/v1/training_runs/MODEL_ID/checkpoints");
        }

        return await AcceptAsync(FutureKind.LoadWeights, request.ModelId, request.SeqId, TinkerJson.Serialize(request), cancellationToken).ConfigureAwait(false);
    }

    public Task<UntypedApiFuture> SaveWeightsForSamplerAsync(SaveWeightsForSamplerRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        RequireName(request.Path, "path");
        if (request.Path is null && (request.SamplingSessionSeqId is null || request.SeqId is null))
        {
            throw new TinkerServiceException(400, "save_weights_for_sampler needs a path, or both sampling_session_seq_id and seq_id");
        }

        return AcceptAsync(FutureKind.SaveWeightsForSampler, request.ModelId, request.SeqId, TinkerJson.Serialize(request), cancellationToken);
    }

    public async Task<UntypedApiFuture> SampleAsync(SampleRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.NumSamples < 1 || request.NumSamples > Options.MaxSamples)
        {
            throw new TinkerServiceException(400, $"num_samples must be 1..{Options.MaxSamples}; got {request.NumSamples}");
        }

        if (request.SamplingParams.MaxTokens is not { } maxTokens || maxTokens < 1 || maxTokens > Options.MaxTokensCap)
        {
            throw new TinkerServiceException(400, $"sampling_params.max_tokens is required, 1..{Options.MaxTokensCap}");
        }

        if (request.TopkPromptLogprobs > 0)
        {
            throw new TinkerServiceException(400, "topk_prompt_logprobs is not served here; ask for prompt_logprobs");
        }

        PromptTokens(request.Prompt);
        _ = await ResolveSamplerAsync(request, cancellationToken).ConfigureAwait(false);
        long id = await _store.AddFutureAsync(FutureKind.Sample, null, null, TinkerJson.Serialize(request), cancellationToken).ConfigureAwait(false);
        Dispatch((await _store.GetFutureAsync(id, cancellationToken).ConfigureAwait(false))!);
        return new UntypedApiFuture { RequestId = Id(id) };
    }

    /// <summary>
    /// retrieve_future: the result JSON of a completed request, a RequestFailedResponse of a failed one, or after
    /// holding a pending one up to <see cref="TinkerServiceOptions.RetrieveWait"/>, a try_again.
    /// </summary>
    public async Task<string> RetrieveAsync(FutureRetrieveRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!long.TryParse(request.RequestId, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long id))
        {
            throw new TinkerServiceException(404, $"future '{request.RequestId}' not found; request ids are the numbers this server returned");
        }

        TaskCompletionSource signal = _done.GetOrAdd(id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        StoredFuture future = await _store.GetFutureAsync(id, cancellationToken).ConfigureAwait(false)
            ?? throw new TinkerServiceException(404, $"future '{request.RequestId}' not found; request ids are the numbers this server returned");
        if (future.Status == StoredFuture.Pending)
        {
            try
            {
                await signal.Task.WaitAsync(Options.RetrieveWait, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return TinkerJson.Serialize(new TryAgainResponse { RequestId = request.RequestId });
            }

            future = (await _store.GetFutureAsync(id, cancellationToken).ConfigureAwait(false))!;
        }

        return future.ResultJson ?? TinkerJson.Serialize(new RequestFailedResponse { Error = "the request completed without a result", Category = "server" });
    }

    public async Task<CheckpointsListResponse> ListCheckpointsAsync(string modelId, CancellationToken cancellationToken)
    {
        await RequireModelAsync(modelId, cancellationToken).ConfigureAwait(false);
        List<StoredCheckpoint> checkpoints = await _store.ListCheckpointsAsync(modelId, cancellationToken).ConfigureAwait(false);
        return new CheckpointsListResponse
        {
            Checkpoints = [.. checkpoints.Select(c => new Checkpoint
            {
                CheckpointId = $"{c.Kind}/{c.Name}",
                CheckpointType = c.Kind == TinkerPath.Weights ? "training" : "sampler",
                Time = c.Time,
                TinkerPath = c.Path.ToString(),
                SizeBytes = c.SizeBytes,
            })],
        };
    }

    /// <summary>The checkpoint an archive request names: <c>sampler_weights/NAME</c>, <c>weights/NAME</c>, or a bare sampler NAME (SkyRL tx's form).</summary>
    public async Task<StoredCheckpoint> FindCheckpointAsync(string modelId, string checkpointId, CancellationToken cancellationToken)
    {
        string kind = TinkerPath.SamplerWeights, name = checkpointId;
        int slash = checkpointId.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0)
        {
            kind = checkpointId[..slash];
            name = checkpointId[(slash + 1)..];
        }

        if (kind is not (TinkerPath.Weights or TinkerPath.SamplerWeights) || !TinkerPath.IsName(name) || !TinkerPath.IsName(modelId))
        {
            throw new TinkerServiceException(400, $"checkpoint '{checkpointId}' is not weights/NAME or sampler_weights/NAME");
        }

        return await _store.GetCheckpointAsync(modelId, kind, name, cancellationToken).ConfigureAwait(false)
            ?? throw new TinkerServiceException(404, $"checkpoint {modelId}/{kind}/{name} not found");
    }

    /// <summary>The checkpoint's files as a .tar.gz, the archive the SDK downloads.</summary>
    public static async Task WriteArchiveAsync(StoredCheckpoint checkpoint, Stream destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        await using var gzip = new GZipStream(destination, CompressionLevel.Fastest, leaveOpen: true);
        await TarFile.CreateFromDirectoryAsync(checkpoint.Directory, gzip, includeBaseDirectory: false, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        // A host that stops the service and then disposes what it owns disposes it twice: the second is a no-op.
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (ModelQueue queue in _queues.Values)
        {
            queue.Complete();
            try
            {
                await queue.Completion.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopping: a request cut short stays pending in the store and is applied after the next start.
            }

            if (queue.Model is not null)
            {
                await queue.Model.DisposeAsync().ConfigureAwait(false);
            }
        }

        try
        {
            await Task.WhenAll(_sampling.Keys).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Likewise for a sample cut short.
        }

        await _samplers.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    private static string Id(long requestId) => requestId.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static TinkerServiceException SessionNotFound(string sessionId)
        => new(404, $"session '{sessionId}' not found (expired, or made by another server); create a new one with create_session");

    private static int? ReadContextLength(string directory)
    {
        try
        {
            return HuggingFaceConfig.Read(Path.Combine(directory, HuggingFaceCheckpoint.ConfigFileName)).MaxPositionEmbeddings;
        }
        catch (Exception ex) when (ex is IOException or JsonException or CheckpointFormatException or InvalidDataException)
        {
            return null;
        }
    }

    private static void RequireName(string? name, string field)
    {
        if (name is not null && !TinkerPath.IsName(name))
        {
            throw new TinkerServiceException(400, $"{field} '{name}' is not a checkpoint name: letters, digits, '-', '_' and '.', up to 128, not starting with '.'");
        }
    }

    private static int[] PromptTokens(ModelInput input)
    {
        var tokens = new List<int>();
        foreach (EncodedTextChunk chunk in input.Chunks)
        {
            if (chunk.Type != "encoded_text")
            {
                throw new TinkerServiceException(400, $"model_input chunk type '{chunk.Type}' is not served here; send encoded_text chunks (token ids)");
            }

            tokens.AddRange(chunk.Tokens);
        }

        if (tokens.Count == 0)
        {
            throw new TinkerServiceException(400, "model_input has no tokens");
        }

        return [.. tokens];
    }

    private void ValidateInput(ForwardBackwardInput input)
    {
        if (input.Data.Count == 0 || input.Data.Count > Options.MaxDatums)
        {
            throw new TinkerServiceException(400, $"give 1..{Options.MaxDatums} datums; got {input.Data.Count}");
        }

        try
        {
            _ = ToEngine(input);
        }
        catch (ArgumentException ex)
        {
            throw new TinkerServiceException(400, ex.Message);
        }
    }

    /// <summary>The datums as the engine takes them, with the named loss over their loss_fn_inputs.</summary>
    private static (List<TokenDatum> Data, TinkerLoss Loss) ToEngine(ForwardBackwardInput input)
    {
        var data = new List<TokenDatum>(input.Data.Count);
        var inputs = new List<IReadOnlyDictionary<string, float[]>>(input.Data.Count);
        for (int i = 0; i < input.Data.Count; i++)
        {
            Datum datum = input.Data[i];
            int[] tokens;
            try
            {
                tokens = PromptTokens(datum.ModelInput);
            }
            catch (TinkerServiceException ex)
            {
                throw new ArgumentException($"datum {i}: {ex.Message}");
            }

            if (!datum.LossFnInputs.TryGetValue("target_tokens", out TensorData? targets))
            {
                throw new ArgumentException($"datum {i}: loss_fn_inputs.target_tokens is required (the token each input position predicts)");
            }

            var values = new Dictionary<string, float[]>(StringComparer.Ordinal);
            foreach ((string key, TensorData tensor) in datum.LossFnInputs)
            {
                double[] dense;
                try
                {
                    dense = tensor.ToDense();
                }
                catch (FormatException ex)
                {
                    throw new ArgumentException($"datum {i}: loss_fn_inputs.{key}: {ex.Message}");
                }

                if (dense.Length != tokens.Length)
                {
                    throw new ArgumentException($"datum {i}: loss_fn_inputs.{key} has {dense.Length} values for {tokens.Length} input tokens; give one per position");
                }

                values[key] = [.. dense.Select(v => (float)v)];
            }

            int[] targetIds = [.. targets.ToDense().Select(v => checked((int)v))];
            byte[] mask = values.TryGetValue("weights", out float[]? w) ? [.. w.Select(x => x != 0 ? (byte)1 : (byte)0)] : [.. Enumerable.Repeat((byte)1, tokens.Length)];
            data.Add(new TokenDatum(tokens, targetIds, mask));
            inputs.Add(values);
        }

        return (data, TinkerLoss.Create(input.LossFn, inputs, input.LossFnConfig));
    }

    private async Task<UntypedApiFuture> AcceptAsync(string kind, string modelId, long? seqId, string requestJson, CancellationToken cancellationToken)
    {
        await RequireModelAsync(modelId, cancellationToken).ConfigureAwait(false);
        long id = await _store.AddFutureAsync(kind, modelId, seqId, requestJson, cancellationToken).ConfigureAwait(false);
        StoredFuture future = (await _store.GetFutureAsync(id, cancellationToken).ConfigureAwait(false))!;
        if (future.Status == StoredFuture.Pending && future.RequestJson == requestJson && !IsQueued(id))
        {
            Dispatch(future);
        }

        return new UntypedApiFuture { RequestId = Id(id), ModelId = modelId };
    }

    private bool IsQueued(long id) => _queued.ContainsKey(id);

    private void Dispatch(StoredFuture future)
    {
        if (!_queued.TryAdd(future.RequestId, 0))
        {
            return;
        }

        if (future.Kind == FutureKind.Sample)
        {
            Task task = Task.Run(() => RunAsync(future, () => SampleFutureAsync(future, _stopping.Token)), CancellationToken.None);
            _sampling.TryAdd(task, 0);
            task.ContinueWith(t => _sampling.TryRemove(t, out _), TaskScheduler.Default);
            return;
        }

        ModelQueue queue = _queues.GetOrAdd(future.ModelId!, id => new ModelQueue(id, ApplyAsync, _stopping.Token));
        queue.Enqueue(future);
    }

    private Task ApplyAsync(ModelQueue queue, StoredFuture future, CancellationToken cancellationToken)
        => RunAsync(future, async () =>
        {
            TrainedModel model = await EnsureModelAsync(queue, future, cancellationToken).ConfigureAwait(false);
            return future.Kind == FutureKind.CreateModel
                ? TinkerJson.Serialize(new CreateModelResponse { ModelId = queue.ModelId })
                : await ApplyToModelAsync(model, queue.ModelId, future, cancellationToken).ConfigureAwait(false);
        });

    /// <summary>Runs one future and stores its result or its failure (the user's fault for bad input, the server's otherwise).</summary>
    private async Task RunAsync(StoredFuture future, Func<Task<string>> work)
    {
        string status, result;
        try
        {
            result = await work().ConfigureAwait(false);
            status = StoredFuture.Completed;
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or TinkerServiceException or CheckpointFormatException or JsonException)
        {
            status = StoredFuture.Failed;
            result = TinkerJson.Serialize(new RequestFailedResponse { Error = ex.Message, Category = "user" });
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "request {RequestId} ({Kind}) failed", future.RequestId, future.Kind);
            status = StoredFuture.Failed;
            result = TinkerJson.Serialize(new RequestFailedResponse { Error = $"the training server failed on this request ({ex.GetType().Name}: {ex.Message}); the failure is in its log", Category = "server" });
        }

        try
        {
            await _store.CompleteFutureAsync(future.RequestId, status, result, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _queued.TryRemove(future.RequestId, out _);

            // Only waiters are signalled (and forgotten): a retrieve that comes later reads the stored result.
            if (_done.TryRemove(future.RequestId, out TaskCompletionSource? waiters))
            {
                waiters.TrySetResult();
            }
        }
    }

    /// <summary>The model in memory; after a restart rebuilt from its creation by replaying its completed requests in order.</summary>
    private async Task<TrainedModel> EnsureModelAsync(ModelQueue queue, StoredFuture current, CancellationToken cancellationToken)
    {
        if (queue.Model is not null)
        {
            return queue.Model;
        }

        StoredModel stored = await _store.GetModelAsync(queue.ModelId, cancellationToken).ConfigureAwait(false)
            ?? throw new TinkerServiceException(404, $"model {queue.ModelId} not found");
        BaseModelSource source = _baseModels.TryGetValue(stored.BaseModel, out BaseModelSource? s) ? s
            : throw new TinkerServiceException(400, $"model {queue.ModelId} was made over base model '{stored.BaseModel}', which this server no longer offers; start it with that base model");
        TrainedModel model = TrainedModel.Create(source.Directory, stored.LoraRank, Options.LoraAlpha, stored.Seed, Options.MicroBatchTokens);
        int replayed = 0;
        foreach (StoredFuture done in await _store.CompletedFuturesAsync(queue.ModelId, current.RequestId, cancellationToken).ConfigureAwait(false))
        {
            if (FutureKind.Mutates(done.Kind))
            {
                await ApplyToModelAsync(model, queue.ModelId, done, cancellationToken).ConfigureAwait(false);
                replayed++;
            }
        }

        if (replayed > 0)
        {
            _logger.LogInformation("model {ModelId} rebuilt by replaying {Count} requests", queue.ModelId, replayed);
        }

        queue.Model = model;
        return model;
    }

    private async Task<string> ApplyToModelAsync(TrainedModel model, string modelId, StoredFuture future, CancellationToken cancellationToken)
    {
        switch (future.Kind)
        {
            case FutureKind.Forward:
            case FutureKind.ForwardBackward:
            {
                ForwardBackwardInput input = future.Kind == FutureKind.Forward
                    ? TinkerJson.Deserialize<ForwardRequest>(future.RequestJson).ForwardInput
                    : TinkerJson.Deserialize<ForwardBackwardRequest>(future.RequestJson).ForwardBackwardInput;
                (List<TokenDatum> data, TinkerLoss loss) = ToEngine(input);
                int context = model.Model.Config.MaxPositionEmbeddings;
                if (data.FirstOrDefault(d => d.Length > context) is { } tooLong)
                {
                    throw new ArgumentException($"a datum of {tooLong.Length} tokens is longer than the model's context of {context}");
                }

                TokenObjectiveResult result = await model.Backend.ForwardBackwardAsync(data, loss, future.Kind == FutureKind.ForwardBackward, cancellationToken).ConfigureAwait(false);
                return TinkerJson.Serialize(new ForwardBackwardOutput
                {
                    LossFnOutputType = "ArrayRecord",
                    LossFnOutputs = [.. result.LogProbs.Select((lp, i) => new Dictionary<string, TensorData>(StringComparer.Ordinal)
                    {
                        ["logprobs"] = TensorData.FromFloats(lp),
                        ["elementwise_loss"] = TensorData.FromFloats(loss.ElementwiseLoss[i]),
                    })],
                    Metrics = new Dictionary<string, double>(StringComparer.Ordinal) { ["loss:sum"] = result.Loss },
                });
            }

            case FutureKind.OptimStep:
            {
                AdamParamsWire adam = TinkerJson.Deserialize<OptimStepRequest>(future.RequestJson).AdamParams;
                OptimStepResult step = await model.Backend.OptimStepAsync(new AdamParams
                {
                    LearningRate = (float)adam.LearningRate,
                    Beta1 = (float)adam.Beta1,
                    Beta2 = (float)adam.Beta2,
                    Epsilon = (float)adam.Eps,
                    WeightDecay = (float)adam.WeightDecay,
                    GradClipNorm = (float)adam.GradClipNorm,
                }, cancellationToken).ConfigureAwait(false);
                return TinkerJson.Serialize(new OptimStepResponse { Metrics = new Dictionary<string, double>(StringComparer.Ordinal) { ["grad_norm"] = step.GradNorm } });
            }

            case FutureKind.SaveWeights:
            {
                SaveWeightsRequest request = TinkerJson.Deserialize<SaveWeightsRequest>(future.RequestJson);
                string name = request.Path ?? $"step-{future.RequestId:D6}";
                string directory = CheckpointDirectory(modelId, TinkerPath.Weights, name);
                await model.Backend.SaveStateAsync(directory, new TrainerState { Step = model.Backend.Optimizer.StepCount }, cancellationToken).ConfigureAwait(false);
                await _store.PutCheckpointAsync(new StoredCheckpoint(modelId, TinkerPath.Weights, name, directory, DateTimeOffset.UtcNow, DirectorySize(directory)), cancellationToken).ConfigureAwait(false);
                return TinkerJson.Serialize(new SaveWeightsResponse { Path = new TinkerPath(modelId, TinkerPath.Weights, name).ToString(), Type = "save_weights" });
            }

            case FutureKind.LoadWeights:
            {
                LoadWeightsRequest request = TinkerJson.Deserialize<LoadWeightsRequest>(future.RequestJson);
                TinkerPath path = TinkerPath.Parse(request.Path);
                StoredCheckpoint checkpoint = await _store.GetCheckpointAsync(path.ModelId, path.Kind, path.Name, cancellationToken).ConfigureAwait(false)
                    ?? throw new ArgumentException($"checkpoint {path} not found");
                await TrainingCheckpoint.LoadAsync(checkpoint.Directory, model.Model, request.Optimizer ? model.Backend.Optimizer : null, cancellationToken).ConfigureAwait(false);
                return TinkerJson.Serialize(new LoadWeightsResponse { Path = request.Path, ModelId = modelId, Type = "load_weights" });
            }

            case FutureKind.SaveWeightsForSampler:
            {
                SaveWeightsForSamplerRequest request = TinkerJson.Deserialize<SaveWeightsForSamplerRequest>(future.RequestJson);
                string name = request.Path ?? $"ss{request.SamplingSessionSeqId}_seq{request.SeqId}";
                string directory = CheckpointDirectory(modelId, TinkerPath.SamplerWeights, name);
                await WriteSnapshotAsync(model, directory, cancellationToken).ConfigureAwait(false);
                var path = new TinkerPath(modelId, TinkerPath.SamplerWeights, name);
                _samplers.Forget(path.ToString());
                await _store.PutCheckpointAsync(new StoredCheckpoint(modelId, TinkerPath.SamplerWeights, name, directory, DateTimeOffset.UtcNow, DirectorySize(directory)), cancellationToken).ConfigureAwait(false);
                string? samplingSession = null;
                if (request.SamplingSessionSeqId is { } samplingSeq)
                {
                    StoredModel stored = (await _store.GetModelAsync(modelId, cancellationToken).ConfigureAwait(false))!;
                    samplingSession = await _store.AddSamplingSessionAsync($"sampling_{Guid.NewGuid():N}"[..25], stored.SessionId, samplingSeq, null, path.ToString(), cancellationToken).ConfigureAwait(false);
                }

                return TinkerJson.Serialize(new SaveWeightsForSamplerResponse { Path = path.ToString(), SamplingSessionId = samplingSession, Type = "save_weights_for_sampler" });
            }

            default:
                throw new InvalidOperationException($"unknown request kind '{future.Kind}'");
        }
    }

    private string CheckpointDirectory(string modelId, string kind, string name)
        => Path.Combine(Path.GetFullPath(Options.StateDirectory), "checkpoints", modelId, kind, name);

    /// <summary>Writes the weights sampling needs (the adapter over its base, or all weights), atomically.</summary>
    private static async Task WriteSnapshotAsync(TrainedModel model, string directory, CancellationToken cancellationToken)
    {
        string staging = $"{directory}{TrainingCheckpoint.TemporaryMarker}{Guid.NewGuid():N}";
        Directory.CreateDirectory(staging);
        try
        {
            if (model.LoraRank > 0)
            {
                await LoraCheckpoint.SaveAsync(model.Model, staging, Path.GetFullPath(model.BaseDirectory), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await HuggingFaceCheckpoint.SaveAsync(model.Model, staging, cancellationToken: cancellationToken).ConfigureAwait(false);
                string tokenizer = Path.Combine(model.BaseDirectory, TrainingCheckpoint.TokenizerFileName);
                if (File.Exists(tokenizer))
                {
                    File.Copy(tokenizer, Path.Combine(staging, TrainingCheckpoint.TokenizerFileName));
                }
            }

            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }

            Directory.Move(staging, directory);
        }
        catch
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }

            throw;
        }
    }

    private static long DirectorySize(string directory)
        => new DirectoryInfo(directory).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);

    private async Task<string> SampleFutureAsync(StoredFuture future, CancellationToken cancellationToken)
    {
        SampleRequest request = TinkerJson.Deserialize<SampleRequest>(future.RequestJson);
        (string baseModel, string? snapshot) = await ResolveSamplerAsync(request, cancellationToken).ConfigureAwait(false);
        string baseDirectory = _baseModels[baseModel].Directory;
        LoadedSampler loaded = await _samplers.AcquireAsync(snapshot ?? $"base:{baseModel}", () => SamplerCache.Load(baseDirectory, snapshot is null ? null : SnapshotDirectory(snapshot), Options.MicroBatchTokens, new ContinuousBatchingOptions { MaxBatchSize = Options.SamplerBatchSize, MaxTotalTokens = Options.SamplerCacheTokens })).ConfigureAwait(false);
        try
        {
            int[] prompt = PromptTokens(request.Prompt);
            SamplingParams p = request.SamplingParams;
            long? seed = p.Seed;
            var options = new DecodingOptions[request.NumSamples];
            for (int i = 0; i < options.Length; i++)
            {
                options[i] = new DecodingOptions
                {
                    Temperature = (float)p.Temperature,
                    TopP = (float)p.TopP,
                    TopK = p.TopK < 0 ? 0 : p.TopK,
                    MaxNewTokens = p.MaxTokens ?? 1,
                    StopTokenIds = p.Stop?.TokenIds ?? [],
                    StopStrings = p.Stop?.Strings ?? [],
                    Seed = seed is { } s ? unchecked((int)(s + i)) : null,
                };
            }

            SamplingResult[] results;
            float?[]? promptLogProbs = null;
            if (request.PromptLogprobs == true && (p.MaxTokens ?? 1) == 1 && (p.Stop?.Strings ?? []).Count == 0)
            {
                // compute_logprobs: the scoring pass gives the one new token too, so the sampler's prefill is skipped.
                (promptLogProbs, SampledToken[] next) = await loaded.Scorer.ScoreAsync(prompt, options, cancellationToken).ConfigureAwait(false);
                results = [.. next.Select((t, i) => new SamplingResult([t.Id], [t.LogProb], [t.SamplingLogProb], options[i].StopTokenIds.Contains(t.Id) ? StopReason.StopToken : StopReason.MaxTokens, null, null))];
            }
            else
            {
                // The first sample continues the cache of the turn this prompt extends, if the sampler still holds it.
                string[] conversations = [.. options.Select((_, i) => i == 0 ? loaded.Prefixes.Claim(prompt) : loaded.Prefixes.Claim([]))];
                results = await Task.WhenAll(options.Select((o, i) => loaded.Sampler.SubmitAsync(new SamplingRequest(prompt, o) { ConversationId = conversations[i] }, cancellationToken))).ConfigureAwait(false);
                for (int i = 0; i < results.Length; i++)
                {
                    loaded.Prefixes.Hold(conversations[i], [.. prompt, .. results[i].TokenIds.AsSpan(0, Math.Max(0, results[i].TokenIds.Length - 1))]);
                }
                if (request.PromptLogprobs == true)
                {
                    (promptLogProbs, _) = await loaded.Scorer.ScoreAsync(prompt, [], cancellationToken).ConfigureAwait(false);
                }
            }

            return TinkerJson.Serialize(new SampleResponse
            {
                Sequences = [.. results.Select(r => new SampledSequence
                {
                    StopReason = r.StopReason == StopReason.MaxTokens ? "length" : "stop",
                    Tokens = r.TokenIds,
                    Logprobs = r.LogProbs,
                })],
                PromptLogprobs = promptLogProbs,
            });
        }
        finally
        {
            SamplerCache.Release(loaded);
        }
    }

    private string SnapshotDirectory(string tinkerPath)
    {
        TinkerPath path = TinkerPath.Parse(tinkerPath);
        return CheckpointDirectory(path.ModelId, path.Kind, path.Name);
    }

    /// <summary>The base model and, when sampling trained weights, the sampler snapshot's tinker path.</summary>
    private async Task<(string BaseModel, string? Snapshot)> ResolveSamplerAsync(SampleRequest request, CancellationToken cancellationToken)
    {
        string? baseModel = request.BaseModel, modelPath = request.ModelPath;
        if (request.SamplingSessionId is not null)
        {
            (string? BaseModel, string? ModelPath) session = await _store.GetSamplingSessionAsync(request.SamplingSessionId, cancellationToken).ConfigureAwait(false)
                ?? throw new TinkerServiceException(404, $"sampling session '{request.SamplingSessionId}' not found; create one with create_sampling_session or save_weights_for_sampler");
            (baseModel, modelPath) = session;
        }
        else if ((baseModel is null) == (modelPath is null))
        {
            throw new TinkerServiceException(400, "give a sampling_session_id, or exactly one of base_model or model_path");
        }

        if (modelPath is null)
        {
            RequireBaseModel(baseModel!);
            return (baseModel!, null);
        }

        StoredCheckpoint checkpoint = await RequireSamplerCheckpointAsync(modelPath, cancellationToken).ConfigureAwait(false);
        StoredModel owner = (await _store.GetModelAsync(checkpoint.ModelId, cancellationToken).ConfigureAwait(false))!;
        return (owner.BaseModel, checkpoint.Path.ToString());
    }

    private async Task<StoredCheckpoint> RequireSamplerCheckpointAsync(string modelPath, CancellationToken cancellationToken)
    {
        if (!TinkerPath.TryParse(modelPath, out TinkerPath? path) || path.Kind != TinkerPath.SamplerWeights)
        {
            throw new TinkerServiceException(400, $"model_path '{modelPath}' must be tinker://MODEL_ID/sampler_weights/NAME, as save_weights_for_sampler returned it");
        }

        return await _store.GetCheckpointAsync(path.ModelId, path.Kind, path.Name, cancellationToken).ConfigureAwait(false)
            ?? throw new TinkerServiceException(404, $"sampler checkpoint {path} not found");
    }

    private void RequireBaseModel(string name)
    {
        if (!_baseModels.ContainsKey(name))
        {
            throw new TinkerServiceException(400, $"base model '{name}' is not served here; get_server_capabilities lists {string.Join(", ", _baseModels.Keys)}");
        }
    }

    private async Task RequireSessionAsync(string sessionId, CancellationToken cancellationToken)
    {
        if (!await _store.SessionExistsAsync(sessionId, cancellationToken).ConfigureAwait(false))
        {
            throw SessionNotFound(sessionId);
        }
    }

    private async Task RequireModelAsync(string modelId, CancellationToken cancellationToken)
    {
        if (await _store.GetModelAsync(modelId, cancellationToken).ConfigureAwait(false) is null)
        {
            throw new TinkerServiceException(404, $"model '{modelId}' not found; create it with create_model");
        }
    }
}
