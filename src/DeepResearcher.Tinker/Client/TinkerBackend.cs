using System.Text.Json;
using DeepResearcher.Engine.Sampling;
using DeepResearcher.Tinker.Wire;
using DeepResearcher.Training.Backends;
using DeepResearcher.Training.Checkpoints;
using DeepResearcher.Training.Grpo;

namespace DeepResearcher.Tinker.Client;

/// <summary>
/// A policy on a Tinker-compatible service (Thinking Machines' Tinker, SkyRL tx, or this project's
/// <c>serve training</c>): the second <see cref="IPolicyBackend"/>. Each call is the service's request with a seq_id
/// from one counter (so a retry is applied once); training and sampling are futures the client polls. Sampling uses a
/// snapshot of the current weights (save_weights_for_sampler with a sampling session), taken again after every step
/// or load; a trainer's mean cross-entropy becomes Tinker's summed one by weights = mask / (masked targets of the call).
/// </summary>
public sealed class TinkerBackend : IPolicyBackend
{
    /// <summary>The file a saved state names its Tinker checkpoint in, beside trainer_state.json.</summary>
    public const string CheckpointFileName = "tinker_checkpoint.json";

    private readonly TinkerClient _client;
    private readonly SemaphoreSlim _samplerLock = new(1, 1);
    private int _requestCounter;
    private long _weightVersion;
    private long _samplerVersion = -1;
    private string? _samplingSessionId;

    private TinkerBackend(TinkerClient client, string modelId, string baseModel)
    {
        _client = client;
        ModelId = modelId;
        BaseModel = baseModel;
    }

    public string ModelId { get; }

    public string BaseModel { get; }

    public TinkerClient Client => _client;

    public long WeightVersion => Interlocked.Read(ref _weightVersion);

    /// <summary>Creates a training run over <paramref name="baseModel"/>: LoRA of <paramref name="loraRank"/>, or all weights with 0.</summary>
    public static async Task<TinkerBackend> CreateAsync(TinkerClient client, string baseModel, int loraRank, long? seed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrWhiteSpace(baseModel);
        int modelSeq = client.NextModelSeqId();
        UntypedApiFuture future = await client.CreateModelAsync(session => new CreateModelRequest
        {
            SessionId = session,
            ModelSeqId = modelSeq,
            BaseModel = baseModel,
            LoraConfig = new LoraConfig { Rank = loraRank, Seed = seed },
        }, cancellationToken).ConfigureAwait(false);
        CreateModelResponse created = await client.RetrieveAsync<CreateModelResponse>(future, cancellationToken).ConfigureAwait(false);
        return new TinkerBackend(client, created.ModelId, baseModel);
    }

    public async Task<ForwardBackwardResult> ForwardBackwardAsync(IReadOnlyList<TokenDatum> data, LossFunction loss, GrpoLossOptions? grpo, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (loss == LossFunction.Grpo)
        {
            return await GrpoAsync(data, grpo ?? throw new ArgumentException("the GRPO loss needs its GrpoLossOptions (clip range, KL coefficient)", nameof(grpo)), cancellationToken).ConfigureAwait(false);
        }

        if (loss != LossFunction.CrossEntropy)
        {
            throw new ArgumentOutOfRangeException(nameof(loss), loss, "a Tinker backend computes cross_entropy and grpo (as ppo)");
        }

        int lossTokens = data.Sum(d => d.LossTokens);
        if (lossTokens == 0)
        {
            throw new ArgumentException("the cross-entropy has no masked targets to learn from: every datum's loss mask is 0", nameof(data));
        }

        ForwardBackwardOutput output = await CallForwardAsync("api/v1/forward_backward", CrossEntropyData(data, 1f / lossTokens), cancellationToken).ConfigureAwait(false);
        return new ForwardBackwardResult(output.Metrics.GetValueOrDefault("loss:sum"));
    }

    /// <summary>
    /// A new training run over <paramref name="baseModel"/> whose weights are loaded from <paramref name="weightsPath"/>
    /// (a save_weights path) with a fresh optimizer: the SDK's create_training_client_from_state. GRPO starts so, as the
    /// in-process trainer starts it with a new AdamW after the warm start.
    /// </summary>
    public static async Task<TinkerBackend> CreateFromWeightsAsync(TinkerClient client, string baseModel, int loraRank, long? seed, string weightsPath, CancellationToken cancellationToken)
    {
        TinkerBackend backend = await CreateAsync(client, baseModel, loraRank, seed, cancellationToken).ConfigureAwait(false);
        await backend.LoadWeightsAsync(weightsPath, optimizer: false, cancellationToken).ConfigureAwait(false);
        return backend;
    }

    public async Task<IReadOnlyList<float[]>> ComputeLogProbsAsync(IReadOnlyList<TokenDatum> data, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Count == 0)
        {
            return [];
        }

        ForwardBackwardOutput output = await CallForwardAsync("api/v1/forward", CrossEntropyData(data, 0f), cancellationToken).ConfigureAwait(false);
        return [.. output.LossFnOutputs.Select(o => o.TryGetValue("logprobs", out TensorData? lp) ? lp.Data.Select(v => (float)v).ToArray() : throw new TinkerApiException("api/v1/forward", 200, "a loss_fn_output has no logprobs"))];
    }

    /// <summary>
    /// Tinker's own forward_backward: the named loss (<c>cross_entropy</c>, <c>importance_sampling</c>, <c>ppo</c>) over
    /// the datums as given, its summed loss, per-datum log-probs and elementwise losses.
    /// </summary>
    public Task<ForwardBackwardOutput> ForwardBackwardAsync(IReadOnlyList<Datum> data, string lossFn, IReadOnlyDictionary<string, double>? lossFnConfig, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(data);
        return _client.CallAsync<ForwardBackwardOutput>("api/v1/forward_backward", new ForwardBackwardRequest
        {
            ModelId = ModelId,
            SeqId = NextSeqId(),
            ForwardBackwardInput = new ForwardBackwardInput { Data = data, LossFn = lossFn, LossFnConfig = lossFnConfig?.ToDictionary(StringComparer.Ordinal) },
        }, cancellationToken);
    }

    public async Task<OptimStepResult> OptimStepAsync(AdamParams adam, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(adam);
        OptimStepResponse response = await _client.CallAsync<OptimStepResponse>("api/v1/optim_step", new OptimStepRequest
        {
            ModelId = ModelId,
            SeqId = NextSeqId(),
            AdamParams = new AdamParamsWire
            {
                LearningRate = adam.LearningRate,
                Beta1 = adam.Beta1,
                Beta2 = adam.Beta2,
                Eps = adam.Epsilon,
                WeightDecay = adam.WeightDecay,
                GradClipNorm = adam.GradClipNorm,
            },
        }, cancellationToken).ConfigureAwait(false);
        long version = Interlocked.Increment(ref _weightVersion);
        return new OptimStepResult((float)(response.Metrics?.GetValueOrDefault("grad_norm") ?? double.NaN), version);
    }

    public async Task<PolicySample> SampleAsync(SamplingRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        (SampleResponse response, long version) = await SampleManyAsync(request.PromptTokenIds, 1, request.Options, promptLogProbs: false, cancellationToken).ConfigureAwait(false);
        SampledSequence sequence = response.Sequences[0];
        int[] tokens = [.. sequence.Tokens];
        StopReason reason = sequence.StopReason == "length" ? StopReason.MaxTokens
            : tokens.Length > 0 && request.Options.StopTokenIds.Contains(tokens[^1]) ? StopReason.StopToken : StopReason.StopString;
        return new PolicySample(tokens, [.. sequence.Logprobs ?? []], reason, version);
    }

    /// <summary>asample on the current weights: <paramref name="count"/> continuations, with the prompt's log-probs when asked; and the weight version sampled.</summary>
    public async Task<(SampleResponse Response, long WeightVersion)> SampleManyAsync(IReadOnlyList<int> prompt, int count, DecodingOptions options, bool promptLogProbs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(options);
        (string samplingSession, long version) = await EnsureSamplerAsync(cancellationToken).ConfigureAwait(false);
        StopSequences? stop = options.StopTokenIds.Count > 0 ? new StopSequences { TokenIds = options.StopTokenIds }
            : options.StopStrings.Count > 0 ? new StopSequences { Strings = options.StopStrings } : null;
        if (options.StopTokenIds.Count > 0 && options.StopStrings.Count > 0)
        {
            throw new NotSupportedException("Tinker's stop takes token ids or strings, not both; give one kind");
        }

        SampleResponse response = await _client.CallAsync<SampleResponse>("api/v1/asample", new SampleRequest
        {
            NumSamples = count,
            Prompt = new ModelInput { Chunks = [new EncodedTextChunk { Tokens = [.. prompt] }] },
            SamplingParams = new SamplingParams
            {
                MaxTokens = options.MaxNewTokens,
                Seed = options.Seed,
                Stop = stop,
                Temperature = options.Temperature,
                TopK = options.TopK <= 0 ? -1 : options.TopK,
                TopP = options.TopP,
            },
            SamplingSessionId = samplingSession,
            SeqId = _client.NextSamplingSessionSeqId(),
            PromptLogprobs = promptLogProbs ? true : null,
        }, cancellationToken).ConfigureAwait(false);
        return (response, version);
    }

    /// <summary>save_weights: a resumable checkpoint on the service; returns its tinker:// path.</summary>
    public async Task<string> SaveWeightsAsync(string name, CancellationToken cancellationToken)
    {
        SaveWeightsResponse saved = await _client.CallAsync<SaveWeightsResponse>("api/v1/save_weights", new SaveWeightsRequest { ModelId = ModelId, Path = name, SeqId = NextSeqId() }, cancellationToken).ConfigureAwait(false);
        return saved.Path;
    }

    /// <summary>save_weights_for_sampler under <paramref name="name"/>: a frozen snapshot any sampling client can read (the KL reference).</summary>
    public async Task<string> SaveWeightsForSamplerAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        SaveWeightsForSamplerResponse saved = await _client.CallAsync<SaveWeightsForSamplerResponse>("api/v1/save_weights_for_sampler", new SaveWeightsForSamplerRequest
        {
            ModelId = ModelId,
            Path = name,
            SeqId = NextSeqId(),
        }, cancellationToken).ConfigureAwait(false);
        return saved.Path ?? throw new TinkerApiException("api/v1/save_weights_for_sampler", 200, "the service named no path for the saved sampler weights");
    }

    /// <summary>load_weights from a save_weights path (with the optimizer's state when asked); moves the weight version.</summary>
    public async Task LoadWeightsAsync(string tinkerPath, bool optimizer, CancellationToken cancellationToken)
    {
        await _client.CallAsync<LoadWeightsResponse>("api/v1/load_weights", new LoadWeightsRequest { ModelId = ModelId, Path = tinkerPath, Optimizer = optimizer, SeqId = NextSeqId() }, cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _weightVersion);
    }

    /// <summary>
    /// Saves on the service (save_weights) and records locally, in <paramref name="directory"/>, the checkpoint's tinker
    /// path and <paramref name="state"/>, each written atomically.
    /// </summary>
    public async Task SaveStateAsync(string directory, TrainerState state, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentNullException.ThrowIfNull(state);
        string path = await SaveWeightsAsync($"state-{state.Stage}-{state.Step:D6}", cancellationToken).ConfigureAwait(false);
        Directory.CreateDirectory(directory);
        await WriteAtomicallyAsync(Path.Combine(directory, CheckpointFileName), JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["tinker_path"] = path,
            ["model_id"] = ModelId,
            ["base_model"] = BaseModel,
        }, new JsonSerializerOptions { WriteIndented = true }), cancellationToken).ConfigureAwait(false);
        await WriteAtomicallyAsync(Path.Combine(directory, TrainingCheckpoint.StateFileName), state.ToJson(), cancellationToken).ConfigureAwait(false);
    }

    public async Task<TrainerState> LoadStateAsync(string directory, CancellationToken cancellationToken)
    {
        string file = Path.Combine(directory, CheckpointFileName);
        if (!File.Exists(file))
        {
            throw new FileNotFoundException($"{file} not found; a Tinker backend's state is a directory its SaveStateAsync wrote", file);
        }

        Dictionary<string, string> saved = JsonSerializer.Deserialize<Dictionary<string, string>>(await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false))
            ?? throw new InvalidDataException($"{file} is empty");
        string path = saved.TryGetValue("tinker_path", out string? p) ? p : throw new InvalidDataException($"{file} has no tinker_path");
        TrainerState state = await TrainingCheckpoint.ReadStateAsync(directory, cancellationToken).ConfigureAwait(false);
        await LoadWeightsAsync(path, optimizer: true, cancellationToken).ConfigureAwait(false);
        return state;
    }

    /// <summary>
    /// The GRPO objective as Tinker's ppo (<see cref="GrpoOnPpo"/>): the KL folded into the advantages, the token mean
    /// into a 1/N. The reported parts (policy loss, KL, clip fraction) are computed here, from the log-probs the
    /// forward pass returns, with the in-process loss's definitions, so the two backends' metrics read alike.
    /// </summary>
    private async Task<ForwardBackwardResult> GrpoAsync(IReadOnlyList<TokenDatum> data, GrpoLossOptions options, CancellationToken cancellationToken)
    {
        List<Datum> datums = GrpoOnPpo.Datums(data, options);
        int policyTokens = data.Sum(d => d.LossTokens);
        if (policyTokens == 0)
        {
            return new ForwardBackwardResult(0);
        }

        ForwardBackwardOutput output = await ForwardBackwardAsync(datums, "ppo", GrpoOnPpo.LossConfig(options), cancellationToken).ConfigureAwait(false);
        if (output.LossFnOutputs.Count != data.Count)
        {
            throw new TinkerApiException("api/v1/forward_backward", 200, $"{output.LossFnOutputs.Count} loss_fn_outputs for {data.Count} datums");
        }

        double loss = 0, policy = 0, kl = 0, clip = 0;
        for (int i = 0; i < data.Count; i++)
        {
            TokenDatum d = data[i];
            if (d.LossTokens == 0)
            {
                continue;
            }

            float[] logProbs = output.LossFnOutputs[i].TryGetValue("logprobs", out TensorData? lp) ? [.. lp.Data.Select(v => (float)v)] : throw new TinkerApiException("api/v1/forward_backward", 200, "a loss_fn_output has no logprobs");
            var gradient = new float[d.Length];
            GrpoLossResult part = GrpoLoss.Compute(logProbs, d.SamplingLogProbs, options.KlCoefficient != 0 ? d.ReferenceLogProbs : [], d.Advantages, d.LossMask, 1, options, gradient);
            double share = (double)d.LossTokens / policyTokens;
            loss += part.Loss * share;
            policy += part.PolicyLoss * share;
            kl += part.Kl * share;
            clip += part.ClipFraction * share;
        }

        // The service returns no entropy (its ppo has no entropy term); 0 keeps the metrics files numeric.
        return new ForwardBackwardResult(loss) { PolicyLoss = policy, Kl = kl, ClipFraction = clip };
    }

    private static async Task WriteAtomicallyAsync(string path, string text, CancellationToken cancellationToken)
    {
        string temporary = $"{path}.tmp-{Guid.NewGuid():N}";
        await File.WriteAllTextAsync(temporary, text, cancellationToken).ConfigureAwait(false);
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Datums whose weights are the mask times <paramref name="scale"/>: 1/(masked targets) turns Tinker's sum into the trainer's mean.</summary>
    private static List<Datum> CrossEntropyData(IReadOnlyList<TokenDatum> data, float scale)
        => [.. data.Select(d => new Datum
        {
            ModelInput = new ModelInput { Chunks = [new EncodedTextChunk { Tokens = d.InputTokens }] },
            LossFnInputs = new Dictionary<string, TensorData>(StringComparer.Ordinal)
            {
                ["target_tokens"] = TensorData.FromInts(d.TargetTokens),
                ["weights"] = TensorData.FromFloats([.. d.LossMask.Select(m => m * scale)]),
            },
        })];

    private int NextSeqId() => Interlocked.Increment(ref _requestCounter);

    private async Task<ForwardBackwardOutput> CallForwardAsync(string route, List<Datum> data, CancellationToken cancellationToken)
    {
        var input = new ForwardBackwardInput { Data = data, LossFn = "cross_entropy" };
        object request = route.EndsWith("forward", StringComparison.Ordinal)
            ? new ForwardRequest { ModelId = ModelId, SeqId = NextSeqId(), ForwardInput = input }
            : new ForwardBackwardRequest { ModelId = ModelId, SeqId = NextSeqId(), ForwardBackwardInput = input };
        return await _client.CallAsync<ForwardBackwardOutput>(route, request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A sampling session over a snapshot of the current weights, taken when they moved since the last.</summary>
    private async Task<(string Session, long Version)> EnsureSamplerAsync(CancellationToken cancellationToken)
    {
        await _samplerLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            long version = WeightVersion;
            if (_samplingSessionId is not null && _samplerVersion == version)
            {
                return (_samplingSessionId, version);
            }

            SaveWeightsForSamplerResponse saved = await _client.CallAsync<SaveWeightsForSamplerResponse>("api/v1/save_weights_for_sampler", new SaveWeightsForSamplerRequest
            {
                ModelId = ModelId,
                SamplingSessionSeqId = _client.NextSamplingSessionSeqId(),
                SeqId = NextSeqId(),
            }, cancellationToken).ConfigureAwait(false);
            _samplingSessionId = saved.SamplingSessionId ?? throw new TinkerApiException("api/v1/save_weights_for_sampler", 200, "the service made no sampling session; it must answer sampling_session_id when sampling_session_seq_id is given");
            _samplerVersion = version;
            return (_samplingSessionId, version);
        }
        finally
        {
            _samplerLock.Release();
        }
    }
}
