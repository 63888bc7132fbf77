using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using DeepResearcher.Engine.Model;
using DeepResearcher.Engine.Threading;

namespace DeepResearcher.Engine.Sampling;

/// <summary>
/// Inference-only forward of a <see cref="TransformerModel"/> over KV caches. One call appends new tokens to one or
/// more sequences (a prompt chunk for prefill, one token each for a batched decode step), writes their keys and values
/// into each sequence's <see cref="KvCache"/>, and returns the logits of each sequence's last new token. The new tokens
/// of all sequences go through every projection as one [rows, hidden] product; attention reads each sequence's own cache.
/// Activations are owned here (training buffers and LoRA scratch are untouched) and sized once, so steps allocate nothing.
/// Not thread-safe, and must not run while the model is being trained.
/// </summary>
public sealed class CachedTransformer
{
    private readonly TransformerModel _model;
    private readonly TransformerConfig _config;
    private readonly Projection[][] _projections;
    private readonly InferenceMatrix _lmHead;
    private readonly float _eps;
    private readonly float[] _residual, _normed, _rstd, _query, _key, _value, _context, _branch, _gate, _up, _activation;
    private readonly float[] _lastHidden, _lastNormed;
    private readonly int[] _positions, _rowStarts;
    private float[] _lora = [];
    private float[] _loraOutput = [];
    private long _weightVersion;

    /// <param name="model">The model; its parameters are read in place (float32) or copied (bfloat16).</param>
    /// <param name="maxRows">Most new tokens per call: the decode batch limit and the prefill chunk size.</param>
    /// <param name="weightType">Float32 reads the model's weights; BFloat16 keeps a rounded copy for faster decode.</param>
    public CachedTransformer(TransformerModel model, int maxRows = 128, InferenceWeightType weightType = InferenceWeightType.Float32)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRows, 1);
        _model = model;
        _config = model.Config;
        // Read before the copies are made: a change racing with them shows as a newer version and is copied again.
        _weightVersion = model.WeightVersion;
        MaxRows = maxRows;
        WeightType = weightType;
        _eps = (float)_config.RmsNormEps;
        _projections = new Projection[model.Layers.Count][];
        for (int l = 0; l < _projections.Length; l++)
            _projections[l] = [.. model.Layers[l].Linears.Select(linear => new Projection(linear, weightType))];
        _lmHead = new InferenceMatrix(model.LmHeadWeight.Data, _config.VocabSize, _config.HiddenSize, weightType);

        int d = _config.HiddenSize;
        _residual = new float[maxRows * d];
        _normed = new float[maxRows * d];
        _branch = new float[maxRows * d];
        _rstd = new float[maxRows];
        _query = new float[maxRows * _config.QueryDim];
        _context = new float[maxRows * _config.QueryDim];
        _key = new float[maxRows * _config.KeyValueDim];
        _value = new float[maxRows * _config.KeyValueDim];
        _gate = new float[maxRows * _config.IntermediateSize];
        _up = new float[maxRows * _config.IntermediateSize];
        _activation = new float[maxRows * _config.IntermediateSize];
        _lastHidden = new float[maxRows * d];
        _lastNormed = new float[maxRows * d];
        _positions = new int[maxRows];
        _rowStarts = new int[maxRows];
    }

    public TransformerModel Model => _model;

    public TransformerConfig Config => _config;

    public int MaxRows { get; }

    public InferenceWeightType WeightType { get; }

    /// <summary>A cache for one sequence of up to <paramref name="capacity"/> tokens, with RoPE tables grown to match.</summary>
    public KvCache CreateCache(int capacity)
    {
        _model.Rope.EnsurePositions(capacity);
        return new KvCache(_config, capacity);
    }

    /// <summary>The model's weight version the derived weights (the bfloat16 copies) were made from.</summary>
    public long WeightVersion => _weightVersion;

    /// <summary>Re-rounds the bfloat16 copies when the model's weights changed since they were made (no-op for float32).</summary>
    private void RefreshStaleWeights()
    {
        long version = _model.WeightVersion;
        if (version == _weightVersion) return;
        _weightVersion = version;
        foreach (var layer in _projections)
            foreach (var p in layer) p.Matrix.Refresh();
        _lmHead.Refresh();
    }

    /// <summary>
    /// Appends <paramref name="tokens"/> to the sequence in <paramref name="cache"/> (in chunks of <see cref="MaxRows"/>)
    /// and writes the logits of the last one into <paramref name="logits"/> [vocab] unless it is empty.
    /// </summary>
    public void Prefill(KvCache cache, ReadOnlySpan<int> tokens, Span<float> logits)
    {
        ArgumentNullException.ThrowIfNull(cache);
        if (tokens.IsEmpty) throw new ArgumentException("nothing to prefill: no tokens", nameof(tokens));
        CheckCapacity(cache, tokens.Length);
        Span<int> count = stackalloc int[1];
        var caches = MemoryMarshal.CreateReadOnlySpan(ref cache, 1);
        for (int start = 0; start < tokens.Length; start += MaxRows)
        {
            int n = Math.Min(MaxRows, tokens.Length - start);
            count[0] = n;
            bool last = start + n == tokens.Length;
            Forward(caches, tokens.Slice(start, n), count, last ? logits : []);
        }
    }

    /// <summary>One decode step: appends tokens[s] to caches[s] for every s and writes logits [caches.Length, vocab].</summary>
    public void Decode(ReadOnlySpan<KvCache> caches, ReadOnlySpan<int> tokens, Span<float> logits)
    {
        if (caches.Length != tokens.Length)
            throw new ArgumentException($"{caches.Length} caches but {tokens.Length} tokens", nameof(tokens));
        Span<int> counts = caches.Length <= 256 ? stackalloc int[caches.Length] : new int[caches.Length];
        counts.Fill(1);
        Forward(caches, tokens, counts, logits);
    }

    /// <summary>
    /// The general step: sequence s appends counts[s] tokens, taken in order from <paramref name="tokens"/> (at most
    /// <see cref="MaxRows"/> in all); unless <paramref name="logits"/> is empty it receives [caches.Length, vocab], the
    /// logits after each sequence's last new token.
    /// </summary>
    public void Forward(ReadOnlySpan<KvCache> caches, ReadOnlySpan<int> tokens, ReadOnlySpan<int> counts, Span<float> logits)
    {
        int sequences = caches.Length, rows = tokens.Length, d = _config.HiddenSize, vocab = _config.VocabSize;
        if (counts.Length != sequences) throw new ArgumentException($"{sequences} caches but {counts.Length} counts", nameof(counts));
        if (rows > MaxRows) throw new ArgumentException($"{rows} new tokens exceed the {MaxRows} rows this forward was sized for", nameof(tokens));
        if (!logits.IsEmpty && logits.Length < sequences * vocab)
            throw new ArgumentException($"logits needs room for {sequences} x {vocab} values", nameof(logits));
        if (sequences == 0) return;
        RefreshStaleWeights();
        long total = 0;
        foreach (int c in counts) total += c;
        if (total != rows) throw new ArgumentException($"counts sum to {total} but {rows} tokens were given", nameof(counts));
        int row = 0;
        bool oneEach = true;
        for (int s = 0; s < sequences; s++)
        {
            ArgumentNullException.ThrowIfNull(caches[s]);
            if (counts[s] < 1) throw new ArgumentException($"sequence {s} has {counts[s]} new tokens; each needs at least one", nameof(counts));
            CheckCapacity(caches[s], counts[s]);
            _rowStarts[s] = row;
            for (int i = 0; i < counts[s]; i++) _positions[row + i] = caches[s].Length + i;
            row += counts[s];
            oneEach &= counts[s] == 1;
        }
        // A decode step always uses the streaming kernel, whose results do not depend on the batch; prompts use GEMM.
        bool streaming = oneEach;

        var x = _residual.AsSpan(0, rows * d);
        Embedding.Forward(tokens, _model.EmbedTokens.Data, x, vocab, d);
        var positions = _positions.AsSpan(0, rows);
        _model.Rope.EnsurePositions(positions[rows - 1] + 1);
        for (int l = 0; l < _projections.Length; l++)
            Layer(l, caches, counts, positions, rows, streaming);
        for (int s = 0; s < sequences; s++) caches[s].Length += counts[s];
        if (logits.IsEmpty) return;

        var last = _lastHidden.AsSpan(0, sequences * d);
        for (int s = 0; s < sequences; s++)
            x.Slice((_rowStarts[s] + counts[s] - 1) * d, d).CopyTo(last.Slice(s * d, d));
        var lastNormed = _lastNormed.AsSpan(0, sequences * d);
        RmsNorm.Forward(last, _model.FinalNorm.Data, lastNormed, _rstd, sequences, d, _eps);
        _lmHead.MultiplyTransposed(lastNormed, logits, sequences, streaming || sequences == 1);
    }

    private void Layer(int l, ReadOnlySpan<KvCache> caches, ReadOnlySpan<int> counts, ReadOnlySpan<int> positions, int rows, bool streaming)
    {
        var block = _model.Layers[l];
        var p = _projections[l];
        int d = _config.HiddenSize, qDim = _config.QueryDim, kvDim = _config.KeyValueDim, ffn = _config.IntermediateSize;
        var x = _residual.AsSpan(0, rows * d);
        var normed = _normed.AsSpan(0, rows * d);
        var branch = _branch.AsSpan(0, rows * d);
        var q = _query.AsSpan(0, rows * qDim);
        var k = _key.AsSpan(0, rows * kvDim);
        var v = _value.AsSpan(0, rows * kvDim);
        var context = _context.AsSpan(0, rows * qDim);

        RmsNorm.Forward(x, block.InputLayerNorm.Data, normed, _rstd, rows, d, _eps);
        Project(p[0], normed, q, rows, streaming);
        Project(p[1], normed, k, rows, streaming);
        Project(p[2], normed, v, rows, streaming);
        _model.Rope.Forward(q, positions, _config.NumHeads);
        _model.Rope.Forward(k, positions, _config.NumKeyValueHeads);
        for (int s = 0; s < caches.Length; s++)
        {
            int offset = caches[s].Length * kvDim, n = counts[s] * kvDim, from = _rowStarts[s] * kvDim;
            k.Slice(from, n).CopyTo(caches[s].Keys(l).Slice(offset, n));
            v.Slice(from, n).CopyTo(caches[s].Values(l).Slice(offset, n));
        }
        var attention = new CachedAttention(q, context, caches, _rowStarts, counts, l, _config);
        if (AttentionWork(caches, counts) < 1 << 18)
            for (int i = 0; i < caches.Length * _config.NumHeads; i++) attention.Invoke(i);
        else
            ComputePool.Shared.For(caches.Length * _config.NumHeads, attention);
        Project(p[3], context, branch, rows, streaming);
        TensorPrimitives.Add(branch, x, x);

        var gate = _gate.AsSpan(0, rows * ffn);
        var up = _up.AsSpan(0, rows * ffn);
        RmsNorm.Forward(x, block.PostAttentionLayerNorm.Data, normed, _rstd, rows, d, _eps);
        Project(p[4], normed, gate, rows, streaming);
        Project(p[5], normed, up, rows, streaming);
        // silu(gate) ∘ up in the training forward's order, so both paths round alike.
        var activation = _activation.AsSpan(0, rows * ffn);
        TensorPrimitives.Sigmoid(gate, activation);
        TensorPrimitives.Multiply(activation, gate, activation);
        TensorPrimitives.Multiply(activation, up, activation);
        Project(p[6], activation, branch, rows, streaming);
        TensorPrimitives.Add(branch, x, x);
    }

    private void Project(Projection p, ReadOnlySpan<float> x, Span<float> y, int rows, bool streaming)
    {
        var linear = p.Linear;
        p.Matrix.MultiplyTransposed(x, y, rows, streaming);
        if (linear.Bias is { } bias)
        {
            for (int r = 0; r < rows; r++)
            {
                var yr = y.Slice(r * linear.OutFeatures, linear.OutFeatures);
                TensorPrimitives.Add(yr, bias.Data, yr);
            }
        }

        if (linear.Lora is { } lora)
        {
            // Unmerged adapters: y += scale · B (A x), through the same kernels as the base weight (so decode stays
            // batch-independent) and with scratch of our own, so a pending training backward keeps its activations.
            var (a, b) = p.LoraMatrices(lora);
            if (_lora.Length < rows * lora.Rank) _lora = new float[Math.Max(rows * lora.Rank, MaxRows * lora.Rank)];
            if (_loraOutput.Length < rows * linear.OutFeatures) _loraOutput = new float[MaxRows * Math.Max(linear.OutFeatures, _config.IntermediateSize)];
            var hidden = _lora.AsSpan(0, rows * lora.Rank);
            var update = _loraOutput.AsSpan(0, rows * linear.OutFeatures);
            a.MultiplyTransposed(x, hidden, rows, streaming);
            TensorPrimitives.Multiply(hidden, lora.Scale, hidden);
            b.MultiplyTransposed(hidden, update, rows, streaming);
            TensorPrimitives.Add(y[..update.Length], update, y);
        }
    }

    /// <summary>Multiply-adds of one layer's attention; below a threshold waking the pool costs more than it saves.</summary>
    private long AttentionWork(ReadOnlySpan<KvCache> caches, ReadOnlySpan<int> counts)
    {
        long work = 0;
        for (int s = 0; s < caches.Length; s++) work += (long)counts[s] * (caches[s].Length + counts[s]);
        return 2 * work * _config.NumHeads * _config.HeadDim;
    }

    private void CheckCapacity(KvCache cache, int newTokens)
    {
        if (cache.KeyValueDim != _config.KeyValueDim)
            throw new ArgumentException($"the cache holds {cache.KeyValueDim} key/value floats per token but the model needs {_config.KeyValueDim}", nameof(cache));
        if ((long)cache.Length + newTokens > cache.Capacity)
            throw new ArgumentException($"{newTokens} new tokens after {cache.Length} cached ones exceed the cache capacity of {cache.Capacity} tokens", nameof(cache));
    }

    private sealed class Projection(Linear linear, InferenceWeightType type)
    {
        private LoraAdapter? _adapter;
        private InferenceMatrix? _loraA;
        private InferenceMatrix? _loraB;

        public Linear Linear { get; } = linear;

        public InferenceMatrix Matrix { get; } = new(linear.Weight.Data, linear.OutFeatures, linear.InFeatures, type);

        /// <summary>A [rank, in] and B [out, rank] of the attached adapter, read in place (they are small and may be training).</summary>
        public (InferenceMatrix A, InferenceMatrix B) LoraMatrices(LoraAdapter adapter)
        {
            if (!ReferenceEquals(adapter, _adapter))
            {
                _loraA = new InferenceMatrix(adapter.A.Data, adapter.Rank, Linear.InFeatures, InferenceWeightType.Float32);
                _loraB = new InferenceMatrix(adapter.B.Data, Linear.OutFeatures, adapter.Rank, InferenceWeightType.Float32);
                _adapter = adapter;
            }
            return (_loraA!, _loraB!);
        }
    }
}
