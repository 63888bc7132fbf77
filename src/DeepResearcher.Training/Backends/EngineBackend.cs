using DeepResearcher.Engine.Model;
using DeepResearcher.Engine.Optim;
using DeepResearcher.Engine.Sampling;
using DeepResearcher.Training.Checkpoints;
using DeepResearcher.Training.Grpo;
using DeepResearcher.Training.Rollouts;

namespace DeepResearcher.Training.Backends;

/// <summary>
/// The in-process engine as a policy backend: the sampler's model, trained with <paramref name="optimizer"/> in
/// micro-batches under a token budget (gradient accumulation), sampled through the continuous-batching sampler. Every
/// call completes before it returns. The optimizer's own options are not used: each step's <see cref="AdamParams"/>
/// are, as a remote backend would take them. The sampler is the caller's to dispose.
/// </summary>
public sealed class EngineBackend : IPolicyBackend
{
    private readonly TransformerModel _model;
    private readonly AdamW _optimizer;
    private readonly EngineSampler _sampler;
    private readonly EngineLogProbSource _scorer;
    private readonly CheckpointSaveOptions _saveOptions;
    private bool _accumulating;

    /// <param name="saveOptions">How <see cref="SaveStateAsync"/> names the base model of LoRA adapters.</param>
    public EngineBackend(ContinuousBatchingSampler sampler, AdamW optimizer, int microBatchTokens, CheckpointSaveOptions? saveOptions = null)
    {
        ArgumentNullException.ThrowIfNull(sampler);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentOutOfRangeException.ThrowIfLessThan(microBatchTokens, 1);
        _model = sampler.Model;
        _optimizer = optimizer;
        _sampler = new EngineSampler(sampler);
        _scorer = new EngineLogProbSource(_model, microBatchTokens);
        _saveOptions = saveOptions ?? new CheckpointSaveOptions();
    }

    public TransformerModel Model => _model;

    public AdamW Optimizer => _optimizer;

    /// <summary>Token budget of one micro-batch.</summary>
    public int MicroBatchTokens => _scorer.MicroBatchTokens;

    public long WeightVersion => _model.WeightVersion;

    public Task<PolicySample> SampleAsync(SamplingRequest request, CancellationToken cancellationToken)
        => _sampler.SampleAsync(request, cancellationToken);

    public Task<IReadOnlyList<float[]>> ComputeLogProbsAsync(IReadOnlyList<TokenDatum> data, CancellationToken cancellationToken)
        => _scorer.ComputeLogProbsAsync(data, cancellationToken);

    public Task<ForwardBackwardResult> ForwardBackwardAsync(IReadOnlyList<TokenDatum> data, LossFunction loss, GrpoLossOptions? grpo, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(data);
        cancellationToken.ThrowIfCancellationRequested();
        if (loss == LossFunction.Grpo && grpo is null)
        {
            throw new ArgumentException("the GRPO loss needs its GrpoLossOptions (clip range, KL and entropy coefficients, aggregation)", nameof(grpo));
        }

        int lossTokens = 0;
        foreach (TokenDatum d in data)
        {
            lossTokens += d.LossTokens;
        }

        if (!_accumulating)
        {
            _optimizer.ZeroGrad();
            _accumulating = true;
        }

        ForwardBackwardResult result = loss switch
        {
            LossFunction.CrossEntropy => CrossEntropy(data, lossTokens, cancellationToken),
            LossFunction.Grpo => GrpoObjective(data, lossTokens, grpo!, cancellationToken),
            _ => throw new ArgumentOutOfRangeException(nameof(loss), loss, "unknown loss function; the engine computes cross_entropy and grpo"),
        };
        return Task.FromResult(result);
    }

    /// <summary>
    /// Forward (and with <paramref name="backward"/> backward) of a per-token objective over <paramref name="data"/>:
    /// the loss is the sum of the objective's datum losses, whatever the micro-batch split, and its gradients add to
    /// those accumulated since the last step, as <see cref="ForwardBackwardAsync"/>'s do. A forward-only pass leaves
    /// the gradients alone. This is how a Tinker-compatible server computes Tinker's named losses on the engine.
    /// </summary>
    public Task<TokenObjectiveResult> ForwardBackwardAsync(IReadOnlyList<TokenDatum> data, ITokenObjective objective, bool backward, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(objective);
        cancellationToken.ThrowIfCancellationRequested();
        if (backward && !_accumulating)
        {
            _optimizer.ZeroGrad();
            _accumulating = true;
        }

        var logProbsOut = new float[data.Count][];
        var losses = new double[data.Count];
        double total = 0;
        int index = 0;
        foreach (List<TokenDatum> micro in MicroBatches.Pack(data, d => d.Length, MicroBatchTokens))
        {
            cancellationToken.ThrowIfCancellationRequested();
            (TokenBatch tokens, int[] targets) = EngineLogProbSource.Pack(micro);
            var logProbs = new float[targets.Length];
            _model.ForwardLogProbs(tokens, targets, logProbs, []);
            var gradient = new float[targets.Length];
            int at = 0;
            foreach (TokenDatum datum in micro)
            {
                losses[index] = objective.Compute(index, logProbs.AsSpan(at, datum.Length), gradient.AsSpan(at, datum.Length));
                total += losses[index];
                logProbsOut[index] = logProbs[at..(at + datum.Length)];
                at += datum.Length;
                index++;
            }

            if (backward)
            {
                _model.Backward(gradient, []);
            }
        }

        return Task.FromResult(new TokenObjectiveResult(total, losses, logProbsOut));
    }

    public Task<OptimStepResult> OptimStepAsync(AdamParams adam, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(adam);
        cancellationToken.ThrowIfCancellationRequested();
        if (!_accumulating)
        {
            // No forward-backward since the last step: its gradients are spent, the update sees none.
            _optimizer.ZeroGrad();
        }

        // 0 means no clipping, as Tinker's grad_clip_norm: the norm is still measured and reported.
        float norm = GradientClipping.ClipByGlobalNorm(_model.TrainableParameters, adam.GradClipNorm > 0 ? adam.GradClipNorm : float.PositiveInfinity);
        _optimizer.Step(adam.LearningRate, new AdamWOptions { Beta1 = adam.Beta1, Beta2 = adam.Beta2, Epsilon = adam.Epsilon, WeightDecay = adam.WeightDecay });
        _accumulating = false;
        return Task.FromResult(new OptimStepResult(norm, _model.WeightVersion));
    }

    public Task SaveStateAsync(string directory, TrainerState state, CancellationToken cancellationToken)
        => TrainingCheckpoint.SaveAsync(directory, _model, _optimizer, _sampler.Sampler.Tokenizer, state, _saveOptions, cancellationToken);

    public Task<TrainerState> LoadStateAsync(string directory, CancellationToken cancellationToken)
        => TrainingCheckpoint.LoadAsync(directory, _model, _optimizer, cancellationToken);

    /// <summary>The mean NLL over the masked targets of all the data, whatever the micro-batch split.</summary>
    private ForwardBackwardResult CrossEntropy(IReadOnlyList<TokenDatum> data, int lossTokens, CancellationToken cancellationToken)
    {
        if (lossTokens == 0)
        {
            throw new ArgumentException("the cross-entropy has no masked targets to learn from: every datum's loss mask is 0", nameof(data));
        }

        double total = 0;
        foreach (List<TokenDatum> micro in MicroBatches.Pack(data, d => d.Length, MicroBatchTokens))
        {
            cancellationToken.ThrowIfCancellationRequested();
            (TokenBatch tokens, int[] targets) = EngineLogProbSource.Pack(micro);
            var logProbs = new float[targets.Length];
            _model.ForwardLogProbs(tokens, targets, logProbs, []);
            var gradient = new float[targets.Length];
            total += TokenLoss.MaskedNegativeLogLikelihood(logProbs, Concatenate(micro, d => d.LossMask, targets.Length), lossTokens, gradient);
            _model.Backward(gradient, []);
        }

        return new ForwardBackwardResult(total);
    }

    /// <summary>
    /// The GRPO objective over all the data: each micro-batch's loss (a mean over its own tokens or sequences) is
    /// re-weighted into the mean over the call's data. The entropy is always computed (it is reported); its gradient is
    /// zero unless there is an entropy bonus.
    /// </summary>
    private ForwardBackwardResult GrpoObjective(IReadOnlyList<TokenDatum> data, int lossTokens, GrpoLossOptions options, CancellationToken cancellationToken)
    {
        bool withReference = data.Count > 0 && data.All(d => d.ReferenceLogProbs is not null);
        double loss = 0, policy = 0, kl = 0, clip = 0, entropy = 0;
        foreach (List<TokenDatum> micro in MicroBatches.Pack(data, d => d.Length, MicroBatchTokens))
        {
            cancellationToken.ThrowIfCancellationRequested();
            (TokenBatch tokens, int[] targets) = EngineLogProbSource.Pack(micro);
            int n = targets.Length;
            var logProbs = new float[n];
            var tokenEntropy = new float[n];
            _model.ForwardLogProbs(tokens, targets, logProbs, tokenEntropy);
            var gradient = new float[n];
            var entropyGradient = new float[n];
            float[] old = Concatenate(micro, d => d.SamplingLogProbs ?? throw MissingInput("sampling log-probs"), n);
            float[] reference = withReference ? Concatenate(micro, d => d.ReferenceLogProbs!, n) : [];
            float[] advantages = Concatenate(micro, d => d.Advantages ?? throw MissingInput("advantages"), n);
            byte[] mask = Concatenate(micro, d => d.LossMask, n);
            GrpoLossResult result = GrpoLoss.Compute(logProbs, old, reference, advantages, mask, micro.Count, options, gradient, tokenEntropy, entropyGradient);
            double share = options.Aggregation == LossAggregation.TokenMean
                ? (double)result.Tokens / Math.Max(1, lossTokens)
                : (double)micro.Count / data.Count;
            for (int t = 0; t < gradient.Length; t++)
            {
                gradient[t] = (float)(gradient[t] * share);
            }

            for (int t = 0; t < entropyGradient.Length; t++)
            {
                entropyGradient[t] = (float)(entropyGradient[t] * share);
            }

            policy += result.PolicyLoss * share;
            kl += result.Kl * result.Tokens / Math.Max(1, lossTokens);
            clip += result.ClipFraction * result.Tokens / Math.Max(1, lossTokens);
            entropy += result.Entropy * result.Tokens / Math.Max(1, lossTokens);
            loss += result.Loss * share;
            _model.Backward(gradient, entropyGradient);
        }

        return new ForwardBackwardResult(loss) { PolicyLoss = policy, Kl = kl, ClipFraction = clip, Entropy = entropy };
    }

    private static ArgumentException MissingInput(string what)
        => new($"the GRPO loss needs the {what} of every datum; set TokenDatum.{(what == "advantages" ? "Advantages" : "SamplingLogProbs")}");

    private static T[] Concatenate<T>(List<TokenDatum> micro, Func<TokenDatum, T[]> field, int total)
    {
        var all = new T[total];
        int at = 0;
        foreach (TokenDatum d in micro)
        {
            T[] values = field(d);
            if (values.Length != d.Length)
            {
                throw new ArgumentException($"a datum of {d.Length} tokens has {values.Length} values of a per-token loss input; give one per target");
            }

            values.CopyTo(all, at);
            at += d.Length;
        }

        return all;
    }
}
