using DeepResearcher.Engine.Diagnostics;

namespace DeepResearcher.Engine.Model;

/// <summary>
/// A Qwen2 / Llama decoder in float32 with training forward (per-token log-probs of given targets),
/// backward into every parameter that requires a gradient, and full-recompute logits for decoding.
/// Activations live in buffers owned by the layers and reused across steps.
/// </summary>
public sealed class TransformerModel
{
    private readonly Workspace _ws = new();
    private readonly float[][] _residuals;
    private float[] _finalNormed = [];
    private float[] _finalRstd = [];
    private float[] _logSumExp = [];
    private float[] _entropy = [];
    private TokenBatch? _batch;
    private int[] _targets = [];
    private bool _hasTargets;
    private long _weightVersion;

    private TransformerModel(TransformerConfig config)
    {
        config.Validate();
        Config = config;
        Rope = new RotaryEmbedding(config.HeadDim, config.RopeTheta, config.RopeScaling);
        EmbedTokens = new Parameter("model.embed_tokens.weight", config.VocabSize, config.HiddenSize);
        var layers = new TransformerBlock[config.NumLayers];
        for (int i = 0; i < layers.Length; i++) layers[i] = new TransformerBlock(i, config, Rope);
        Layers = layers;
        FinalNorm = new Parameter("model.norm.weight", config.HiddenSize);
        LmHeadWeight = config.TieWordEmbeddings ? EmbedTokens : new Parameter("lm_head.weight", config.VocabSize, config.HiddenSize);
        _residuals = new float[config.NumLayers + 1][];
        for (int i = 0; i < _residuals.Length; i++) _residuals[i] = [];
        // ~64 MB of logits per chunk: large enough that the dW accumulation in backward is not dominated by re-reading dW.
        LmHeadChunkRows = Math.Clamp((1 << 24) / config.VocabSize, 1, 1024);
        foreach (var p in Parameters) p.Owner = this;
    }

    /// <summary>A model with all parameters zero; fill them from a checkpoint or an initialiser.</summary>
    public static TransformerModel Create(TransformerConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new TransformerModel(config);
    }

    public TransformerConfig Config { get; }

    public RotaryEmbedding Rope { get; }

    public Parameter EmbedTokens { get; }

    public IReadOnlyList<TransformerBlock> Layers { get; }

    public Parameter FinalNorm { get; }

    /// <summary>The output projection: the same object as <see cref="EmbedTokens"/> when embeddings are tied.</summary>
    public Parameter LmHeadWeight { get; }

    /// <summary>
    /// Counts changes of the weights: <see cref="Optim.AdamW.Step(float)"/>, the checkpoint loaders, LoRA attachment and
    /// initialisation bump it, so whatever derives state from the weights (the sampler's bfloat16 copies and kept KV
    /// caches) compares versions instead of relying on being told. Code that writes <see cref="Parameter.Data"/> itself
    /// calls <see cref="BumpWeightVersion"/>.
    /// </summary>
    public long WeightVersion => Interlocked.Read(ref _weightVersion);

    /// <summary>Marks the weights as changed; call after writing <see cref="Parameter.Data"/> directly.</summary>
    public void BumpWeightVersion() => Interlocked.Increment(ref _weightVersion);

    /// <summary>Rows of logits materialised at once by the LM head.</summary>
    public int LmHeadChunkRows { get; set; }

    /// <summary>
    /// When a training batch's whole [tokens, vocab] logits fit in this many bytes, the LM head computes them in one
    /// product and keeps them for backward instead of recomputing them chunk by chunk. The default is the memory of one
    /// chunk (64 MB), so the [tokens, vocab] logits are never larger than a chunk; raising it trades memory for one
    /// product fewer (Qwen2.5-0.5B, 512 tokens: 311 MB for ≈ 7 % of the step). 0 always chunks.
    /// </summary>
    public long LmHeadRetainedLogitsBytes { get; set; } = 64L << 20;

    /// <summary>Query rows per attention score block in every layer.</summary>
    public int AttentionBlockRows
    {
        get => Layers[0].SelfAttention.BlockRows;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            foreach (var layer in Layers) layer.SelfAttention.BlockRows = value;
        }
    }

    /// <summary>Base parameters, each once, in Hugging Face checkpoint order.</summary>
    public IEnumerable<Parameter> Parameters
    {
        get
        {
            yield return EmbedTokens;
            foreach (var layer in Layers)
                foreach (var p in layer.Parameters) yield return p;
            yield return FinalNorm;
            if (!ReferenceEquals(LmHeadWeight, EmbedTokens)) yield return LmHeadWeight;
        }
    }

    public IEnumerable<LoraAdapter> LoraAdapters =>
        Layers.SelectMany(l => l.Linears).Select(l => l.Lora).OfType<LoraAdapter>();

    /// <summary>Every parameter that backward writes a gradient for: base and LoRA alike.</summary>
    public IEnumerable<Parameter> TrainableParameters =>
        Parameters.Concat(LoraAdapters.SelectMany(a => new[] { a.A, a.B })).Where(p => p.RequiresGrad);

    public void ZeroGrad()
    {
        foreach (var p in Parameters) p.ZeroGrad();
        foreach (var a in LoraAdapters)
        {
            a.A.ZeroGrad();
            a.B.ZeroGrad();
        }
    }

    /// <summary>
    /// Adds LoRA adapters of the given rank to the named projections (e.g. "q_proj", "down_proj") of every layer
    /// and freezes all base parameters. A and B start at zero; fill them before training.
    /// </summary>
    public IReadOnlyList<LoraAdapter> AttachLora(int rank, float alpha, IReadOnlyCollection<string> projectionNames)
    {
        ArgumentNullException.ThrowIfNull(projectionNames);
        foreach (var p in Parameters) p.RequiresGrad = false;
        var adapters = new List<LoraAdapter>();
        foreach (var layer in Layers)
        {
            foreach (var linear in layer.Linears)
            {
                if (projectionNames.Contains(linear.Prefix[(linear.Prefix.LastIndexOf('.') + 1)..]))
                {
                    var adapter = linear.AttachLora(rank, alpha);
                    adapter.A.Owner = this;
                    adapter.B.Owner = this;
                    adapters.Add(adapter);
                }
            }
        }

        BumpWeightVersion();
        return adapters;
    }

    /// <summary>
    /// Allocates every activation and scratch buffer for batches of up to <paramref name="maxTokens"/> tokens whose
    /// longest sequence has <paramref name="maxSequenceLength"/> tokens, so training steps within that size allocate
    /// nothing (buffers otherwise grow on first use). LoRA scratch is allocated on first use.
    /// </summary>
    public void ReserveActivations(int maxTokens, int maxSequenceLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTokens, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSequenceLength, 1);
        int dim = Config.HiddenSize, n = maxTokens * dim, vocab = Config.VocabSize;
        for (int i = 0; i < _residuals.Length; i++) Workspace.Take(ref _residuals[i], n);
        Workspace.Take(ref _finalNormed, n);
        Workspace.Take(ref _finalRstd, maxTokens);
        Workspace.Take(ref _logSumExp, maxTokens);
        Workspace.Take(ref _entropy, maxTokens);
        if (_targets.Length < maxTokens) _targets = new int[maxTokens];
        Workspace.Take(ref _ws.DResidual, n);
        Workspace.Take(ref _ws.DNormed, n);
        int chunk = RetainsLogits(maxTokens) ? maxTokens : Math.Min(LmHeadChunkRows, maxTokens);
        Workspace.Take(ref _ws.Logits, chunk * vocab);
        Workspace.Take(ref _ws.ChunkInput, chunk * dim);
        Workspace.Take(ref _ws.ChunkGrad, chunk * dim);
        foreach (var layer in Layers) layer.Reserve(maxTokens, maxSequenceLength, _ws);
        Rope.EnsurePositions(maxSequenceLength);
    }

    /// <summary>
    /// Training forward: logProbs[t] = log p(targets[t] | tokens ≤ t of t's sequence). Keeps what backward needs.
    /// </summary>
    public void ForwardLogProbs(TokenBatch batch, ReadOnlySpan<int> targets, Span<float> logProbs)
        => ForwardLogProbs(batch, targets, logProbs, []);

    /// <summary>
    /// Training forward that also writes entropy[t] = −Σ_v p_v log p_v of the model's next-token distribution at t
    /// (for an entropy bonus); computed inside the chunked LM head in the same pass as the log-sum-exp, so it costs no
    /// extra pass over the logits and never needs the [tokens, vocab] logits at once.
    /// An empty <paramref name="entropy"/> skips the copy.
    /// </summary>
    public void ForwardLogProbs(TokenBatch batch, ReadOnlySpan<int> targets, Span<float> logProbs, Span<float> entropy)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (targets.Length != batch.TokenCount || logProbs.Length < batch.TokenCount)
            throw new ArgumentException($"batch has {batch.TokenCount} tokens but {targets.Length} targets and room for {logProbs.Length} log-probs");
        if (!entropy.IsEmpty && entropy.Length < batch.TokenCount)
            throw new ArgumentException($"batch has {batch.TokenCount} tokens but room for {entropy.Length} entropies", nameof(entropy));
        int tokens = batch.TokenCount, dim = Config.HiddenSize;
        RunTrunk(batch);
        if (_targets.Length < tokens) _targets = new int[tokens];
        targets.CopyTo(_targets);
        var lse = Workspace.Take(ref _logSumExp, tokens);
        var rowEntropy = Workspace.Take(ref _entropy, tokens);
        using (KernelTimings.Time(TimedKernel.LmHeadForward))
        {
            LmHead.ForwardLogProbs(_finalNormed.AsSpan(0, tokens * dim), LmHeadWeight.Data, targets, logProbs, lse, rowEntropy,
                dim, Config.VocabSize, LmHeadChunkRows, _ws, RetainsLogits(tokens));
        }
        if (!entropy.IsEmpty) rowEntropy.CopyTo(entropy);
        _hasTargets = true;
    }

    /// <summary>
    /// Backward of the last <see cref="ForwardLogProbs(TokenBatch, ReadOnlySpan{int}, Span{float})"/>: given dL/dlogProbs[t]
    /// (zero for tokens that do not count), adds dL/dθ into the gradient of every parameter that requires one.
    /// </summary>
    public void Backward(ReadOnlySpan<float> dLogProbs) => Backward(dLogProbs, []);

    /// <summary>
    /// Backward with an extra incoming gradient on the per-token entropies of the last forward (dH/dz_v = −p_v(log p_v + H));
    /// rows where both gradients are zero are skipped. An empty <paramref name="dEntropy"/> means no entropy term.
    /// </summary>
    public void Backward(ReadOnlySpan<float> dLogProbs, ReadOnlySpan<float> dEntropy)
    {
        if (_batch is null || !_hasTargets)
            throw new InvalidOperationException("Backward needs a preceding ForwardLogProbs");
        var batch = _batch;
        int tokens = batch.TokenCount, dim = Config.HiddenSize, n = tokens * dim;
        if (dLogProbs.Length != tokens)
            throw new ArgumentException($"expected {tokens} log-prob gradients, got {dLogProbs.Length}", nameof(dLogProbs));
        if (!dEntropy.IsEmpty && dEntropy.Length != tokens)
            throw new ArgumentException($"expected {tokens} entropy gradients, got {dEntropy.Length}", nameof(dEntropy));

        var dNormed = Workspace.Take(ref _ws.DNormed, n);
        using (KernelTimings.Time(TimedKernel.LmHeadBackward))
        {
            LmHead.Backward(dLogProbs, dEntropy, _finalNormed.AsSpan(0, n), LmHeadWeight.Data, _targets.AsSpan(0, tokens), _logSumExp,
                _entropy, dNormed, LmHeadWeight.RequiresGrad ? LmHeadWeight.Grad : [], dim, Config.VocabSize, LmHeadChunkRows, _ws);
        }
        var dResidual = Workspace.Take(ref _ws.DResidual, n);
        using (KernelTimings.Time(TimedKernel.RmsNormBackward))
        {
            dResidual.Clear();
            RmsNorm.Backward(dNormed, _residuals[Layers.Count].AsSpan(0, n), FinalNorm.Data, _finalRstd, dResidual,
                FinalNorm.RequiresGrad ? FinalNorm.Grad : [], tokens, dim);
        }
        for (int l = Layers.Count - 1; l >= 0; l--)
            Layers[l].Backward(dResidual, _residuals[l].AsSpan(0, n), batch, _ws);
        using (KernelTimings.Time(TimedKernel.EmbeddingBackward))
        {
            if (EmbedTokens.RequiresGrad)
                Embedding.Backward(batch.Tokens, dResidual, EmbedTokens.Grad, dim);
        }
    }

    private bool RetainsLogits(int tokens) => (long)tokens * Config.VocabSize * sizeof(float) <= LmHeadRetainedLogitsBytes;

    /// <summary>Inference forward: logits [rows.Length, vocab] for the given packed token indices.</summary>
    public void ForwardLogits(TokenBatch batch, ReadOnlySpan<int> rows, Span<float> logits)
    {
        ArgumentNullException.ThrowIfNull(batch);
        int dim = Config.HiddenSize, vocab = Config.VocabSize;
        if (logits.Length < rows.Length * vocab)
            throw new ArgumentException($"logits needs room for {rows.Length} x {vocab} values", nameof(logits));
        RunTrunk(batch);
        _hasTargets = false;
        _ws.LogitsRowsFromForward = 0;
        var selected = Workspace.Take(ref _ws.ChunkInput, rows.Length * dim);
        for (int i = 0; i < rows.Length; i++)
        {
            if ((uint)rows[i] >= (uint)batch.TokenCount)
                throw new ArgumentOutOfRangeException(nameof(rows), rows[i], $"row {rows[i]} is outside the batch of {batch.TokenCount} tokens");
            _finalNormed.AsSpan(rows[i] * dim, dim).CopyTo(selected.Slice(i * dim, dim));
        }
        LmHead.Logits(selected, LmHeadWeight.Data, logits, rows.Length, dim, vocab);
    }

    /// <summary>
    /// Logits [rows.Length, vocab] at the given packed token indices of the last forward (either kind), from its final
    /// hidden state: scoring a prompt and sampling its next token then take one pass through the trunk, not two.
    /// </summary>
    public void LogitsOfLastForward(ReadOnlySpan<int> rows, Span<float> logits)
    {
        int dim = Config.HiddenSize, vocab = Config.VocabSize, tokens = _batch?.TokenCount ?? 0;
        if (logits.Length < rows.Length * vocab)
            throw new ArgumentException($"logits needs room for {rows.Length} x {vocab} values", nameof(logits));
        var selected = Workspace.Take(ref _ws.ChunkInput, rows.Length * dim);
        for (int i = 0; i < rows.Length; i++)
        {
            if ((uint)rows[i] >= (uint)tokens)
                throw new ArgumentOutOfRangeException(nameof(rows), rows[i], $"row {rows[i]} is outside the last forward's {tokens} tokens");
            _finalNormed.AsSpan(rows[i] * dim, dim).CopyTo(selected.Slice(i * dim, dim));
        }
        LmHead.Logits(selected, LmHeadWeight.Data, logits, rows.Length, dim, vocab);
    }

    /// <summary>The residual stream of the last forward: 0 = embeddings, i = output of block i−1; [tokens, hidden].</summary>
    public ReadOnlySpan<float> HiddenState(int index)
        => _residuals[index].AsSpan(0, (_batch?.TokenCount ?? 0) * Config.HiddenSize);

    /// <summary>The final RMS-normed hidden state of the last forward, [tokens, hidden].</summary>
    public ReadOnlySpan<float> FinalHiddenState => _finalNormed.AsSpan(0, (_batch?.TokenCount ?? 0) * Config.HiddenSize);

    private void RunTrunk(TokenBatch batch)
    {
        int tokens = batch.TokenCount, dim = Config.HiddenSize, n = tokens * dim;
        _batch = batch;
        Rope.EnsurePositions(batch.MaxSequenceLength);
        using (KernelTimings.Time(TimedKernel.EmbeddingForward))
        {
            Embedding.Forward(batch.Tokens, EmbedTokens.Data, Workspace.Take(ref _residuals[0], n), Config.VocabSize, dim);
        }
        for (int l = 0; l < Layers.Count; l++)
            Layers[l].Forward(_residuals[l].AsSpan(0, n), Workspace.Take(ref _residuals[l + 1], n), batch, _ws);
        using (KernelTimings.Time(TimedKernel.RmsNormForward))
        {
            RmsNorm.Forward(_residuals[Layers.Count].AsSpan(0, n), FinalNorm.Data, Workspace.Take(ref _finalNormed, n),
                Workspace.Take(ref _finalRstd, tokens), tokens, dim, (float)Config.RmsNormEps);
        }
    }
}
