using DeepResearcher.Engine.Sampling;
using DeepResearcher.Tinker.Wire;
using DeepResearcher.Training.Backends;

namespace DeepResearcher.Tinker.Client;

/// <summary>
/// Log-probs of token data under frozen weights on a Tinker-compatible service, through a sampling client: asample of
/// the datum's whole text with prompt_logprobs and one new token, whose prompt log-probs (null for the first token) are
/// log p(target_t | inputs ≤ t). This is the KL reference of GRPO on Tinker: the base model, or the weights a warm start
/// ended with (a save_weights_for_sampler path). Datums are sent <see cref="Concurrency"/> at a time.
/// </summary>
public sealed class TinkerSamplerLogProbs : ILogProbSource
{
    private readonly TinkerClient _client;
    private readonly string? _baseModel;
    private readonly string? _modelPath;
    private readonly SemaphoreSlim _sessionLock = new(1, 1);
    private string? _samplingSessionId;

    private TinkerSamplerLogProbs(TinkerClient client, string? baseModel, string? modelPath)
    {
        _client = client;
        _baseModel = baseModel;
        _modelPath = modelPath;
    }

    /// <summary>Requests in flight at once.</summary>
    public int Concurrency { get; init; } = 256;

    /// <summary>The base model's log-probs.</summary>
    public static TinkerSamplerLogProbs OfBaseModel(TinkerClient client, string baseModel)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrWhiteSpace(baseModel);
        return new TinkerSamplerLogProbs(client, baseModel, null);
    }

    /// <summary>The log-probs of the weights save_weights_for_sampler wrote at <paramref name="samplerPath"/> (tinker://…/sampler_weights/NAME).</summary>
    public static TinkerSamplerLogProbs OfSnapshot(TinkerClient client, string samplerPath)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrWhiteSpace(samplerPath);
        return new TinkerSamplerLogProbs(client, null, samplerPath);
    }

    public string Source => _modelPath ?? _baseModel!;

    public async Task<IReadOnlyList<float[]>> ComputeLogProbsAsync(IReadOnlyList<TokenDatum> data, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(data);
        string session = await EnsureSessionAsync(cancellationToken).ConfigureAwait(false);
        var results = new float[data.Count][];
        using var gate = new SemaphoreSlim(Math.Max(1, Concurrency));
        await Task.WhenAll(data.Select(async (datum, i) =>
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                results[i] = await ScoreAsync(session, datum, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        })).ConfigureAwait(false);
        return results;
    }

    private async Task<float[]> ScoreAsync(string session, TokenDatum datum, CancellationToken cancellationToken)
    {
        int n = datum.Length;
        if (n == 0)
        {
            return [];
        }

        // The text is the inputs and the last target: position t's target is the prompt's token t + 1.
        int[] text = [.. datum.InputTokens, datum.TargetTokens[^1]];
        SampleResponse response = await _client.CallAsync<SampleResponse>("api/v1/asample", new SampleRequest
        {
            NumSamples = 1,
            Prompt = new ModelInput { Chunks = [new EncodedTextChunk { Tokens = text }] },
            SamplingParams = new SamplingParams { MaxTokens = 1, Temperature = 1, Seed = 0 },
            SamplingSessionId = session,
            SeqId = _client.NextSamplingSessionSeqId(),
            PromptLogprobs = true,
        }, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<float?> prompt = response.PromptLogprobs
            ?? throw new TinkerApiException("api/v1/asample", 200, "no prompt_logprobs in the answer to a request with prompt_logprobs: true");
        if (prompt.Count != text.Length)
        {
            throw new TinkerApiException("api/v1/asample", 200, $"{prompt.Count} prompt log-probs for a prompt of {text.Length} tokens");
        }

        var logProbs = new float[n];
        for (int t = 0; t < n; t++)
        {
            if (datum.InputTokens.Length > t + 1 && datum.InputTokens[t + 1] != datum.TargetTokens[t])
            {
                throw new ArgumentException($"datum target {t} is not input {t + 1}: a reference scores causal-LM data whose targets are the inputs shifted by one");
            }

            logProbs[t] = prompt[t + 1] ?? throw new TinkerApiException("api/v1/asample", 200, $"prompt log-prob {t + 1} is null (only the first may be)");
        }

        return logProbs;
    }

    private async Task<string> EnsureSessionAsync(CancellationToken cancellationToken)
    {
        await _sessionLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_samplingSessionId is null)
            {
                int seq = _client.NextSamplingSessionSeqId();
                CreateSamplingSessionResponse created = await _client.CreateSamplingSessionAsync(session => new CreateSamplingSessionRequest
                {
                    SessionId = session,
                    SamplingSessionSeqId = seq,
                    BaseModel = _baseModel,
                    ModelPath = _modelPath,
                }, cancellationToken).ConfigureAwait(false);
                _samplingSessionId = created.SamplingSessionId;
            }

            return _samplingSessionId;
        }
        finally
        {
            _sessionLock.Release();
        }
    }
}
