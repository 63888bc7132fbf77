using System.Numerics.Tensors;

namespace DeepResearcher.Engine.Sampling;

/// <summary>
/// Picks the next token from a row of logits with temperature, top-k and top-p, drawing exactly one uniform number per
/// non-greedy pick from the caller's random stream. Owns its scratch (vocabulary-sized, allocated once), so one
/// instance serves many sequences from one thread.
/// </summary>
public sealed class TokenSampler
{
    private float[] _weights = [];
    private float[] _keys = [];
    private int[] _indices = [];

    public SampledToken Sample(ReadOnlySpan<float> logits, DecodingOptions options, Random random)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(random);
        int vocab = logits.Length;
        if (vocab == 0) throw new ArgumentException("no logits to sample from", nameof(logits));
        if (_weights.Length < vocab)
        {
            _weights = new float[vocab];
            _keys = new float[vocab];
            _indices = new int[vocab];
        }
        var weights = _weights.AsSpan(0, vocab);
        float max = TensorPrimitives.Max(logits);
        TensorPrimitives.Subtract(logits, max, weights);
        TensorPrimitives.Exp(weights, weights);
        float logSumExp = max + MathF.Log(TensorPrimitives.Sum(weights));
        IReadOnlyList<TokenLogProb> top = options.TopLogProbs > 0 ? MostLikely(logits, options.TopLogProbs, logSumExp) : [];

        if (options.Temperature == 0)
        {
            int best = TensorPrimitives.IndexOfMax(logits);
            return new SampledToken(best, logits[best] - logSumExp, 0f) { TopLogProbs = top };
        }

        double u = random.NextDouble();
        // Unnormalised probabilities at the sampling temperature, the largest being 1 (already there at temperature 1).
        if (options.Temperature != 1f)
        {
            TensorPrimitives.Subtract(logits, max, weights);
            TensorPrimitives.Multiply(weights, 1f / options.Temperature, weights);
            TensorPrimitives.Exp(weights, weights);
        }

        int id;
        float samplingProbability;
        if (options.TopK > 0 && options.TopK < vocab)
        {
            int count = SelectTopK(weights, options.TopK);
            (id, samplingProbability) = SampleSorted(count, SortedMass(count), options.TopP, u);
        }
        else if (options.TopP < 1)
        {
            double total = Sum(weights);
            int count = SelectNucleusCandidates(weights, total, options.TopP);
            (id, samplingProbability) = SampleSorted(count, total, options.TopP, u);
        }
        else
        {
            double total = Sum(weights), target = u * total, cumulative = 0;
            id = -1;
            for (int i = 0; i < vocab; i++)
            {
                if (weights[i] == 0) continue;
                id = i;
                cumulative += weights[i];
                if (cumulative > target) break;
            }
            samplingProbability = (float)(weights[id] / total);
        }
        return new SampledToken(id, logits[id] - logSumExp, MathF.Log(samplingProbability)) { TopLogProbs = top };
    }

    /// <summary>
    /// The <paramref name="count"/> largest logits as log-probabilities, largest first, ties by lower id. Reads the logits
    /// only (no scratch, no random draw), so asking for them never changes what is sampled.
    /// </summary>
    private static TokenLogProb[] MostLikely(ReadOnlySpan<float> logits, int count, float logSumExp)
    {
        count = Math.Min(count, logits.Length);
        var best = new TokenLogProb[count];
        int size = 0;
        for (int i = 0; i < logits.Length; i++)
        {
            float value = logits[i];
            if (size == count && !(value > best[size - 1].LogProb)) continue;
            int at = size < count ? size++ : size - 1;
            // Insertion into a short sorted list: count is at most a few dozen.
            while (at > 0 && value > best[at - 1].LogProb)
            {
                best[at] = best[at - 1];
                at--;
            }
            best[at] = new TokenLogProb(i, value);
        }
        for (int i = 0; i < size; i++) best[i] = best[i] with { LogProb = best[i].LogProb - logSumExp };
        return best;
    }

    /// <summary>Puts the k largest weights, largest first, into the first k scratch slots; returns k.</summary>
    private int SelectTopK(ReadOnlySpan<float> weights, int k)
    {
        // A min-heap of the k best so far, keyed by weight then by lower index so ties resolve the same way every time.
        var keys = _keys.AsSpan(0, k);
        var ids = _indices.AsSpan(0, k);
        int size = 0;
        for (int i = 0; i < weights.Length; i++)
        {
            float w = weights[i];
            if (size < k)
            {
                int c = size++;
                while (c > 0)
                {
                    int parent = (c - 1) / 2;
                    if (!Worse(w, i, keys[parent], ids[parent])) break;
                    keys[c] = keys[parent];
                    ids[c] = ids[parent];
                    c = parent;
                }
                keys[c] = w;
                ids[c] = i;
            }
            else if (w > keys[0])
            {
                int c = 0;
                while (true)
                {
                    int child = 2 * c + 1;
                    if (child >= k) break;
                    if (child + 1 < k && Worse(keys[child + 1], ids[child + 1], keys[child], ids[child])) child++;
                    if (!Worse(keys[child], ids[child], w, i)) break;
                    keys[c] = keys[child];
                    ids[c] = ids[child];
                    c = child;
                }
                keys[c] = w;
                ids[c] = i;
            }
        }
        SortDescending(k);
        return k;
    }

    private static bool Worse(float w, int id, float otherW, int otherId) => w < otherW || (w == otherW && id > otherId);

    /// <summary>
    /// Puts a prefix of the weights in descending order whose mass reaches topP · total into the scratch slots; returns
    /// its length. Tokens at or above a threshold always form a prefix of the sorted order, so lowering the threshold
    /// until their mass suffices finds the nucleus while sorting only a few candidates.
    /// </summary>
    private int SelectNucleusCandidates(ReadOnlySpan<float> weights, double total, float topP)
    {
        double needed = topP * total;
        // Weights are relative to the most likely token's 1; a peaked distribution is done in the first pass.
        for (float threshold = 1e-3f; ; threshold = threshold > 1e-5f ? 1e-6f : 0f)
        {
            bool all = threshold == 0;
            int count = 0;
            double mass = 0;
            for (int i = 0; i < weights.Length; i++)
            {
                if (weights[i] >= threshold || all)
                {
                    _keys[count] = weights[i];
                    _indices[count++] = i;
                    mass += weights[i];
                }
            }
            if (mass >= needed || all)
            {
                SortDescending(count);
                return count;
            }
        }
    }

    private void SortDescending(int count)
    {
        var keys = _keys.AsSpan(0, count);
        var ids = _indices.AsSpan(0, count);
        // Negated keys sort ascending into descending weight; ties keep index order because ids is the tiebreak key pair.
        TensorPrimitives.Negate(keys, keys);
        keys.Sort(ids);
        TensorPrimitives.Negate(keys, keys);
        for (int start = 0; start < count;)
        {
            int end = start + 1;
            while (end < count && keys[end] == keys[start]) end++;
            if (end - start > 1) ids[start..end].Sort();
            start = end;
        }
    }

    private double SortedMass(int count)
    {
        double mass = 0;
        for (int i = 0; i < count; i++) mass += _keys[i];
        return mass;
    }

    /// <summary>Samples from the sorted candidates after cutting them to the top-p nucleus of <paramref name="total"/>.</summary>
    private (int Id, float Probability) SampleSorted(int count, double total, float topP, double u)
    {
        int kept = 0;
        double keptMass = 0;
        // Keep a token while the mass before it is below top-p: the token that crosses the threshold stays in.
        while (kept < count && (kept == 0 || keptMass < topP * total))
            keptMass += _keys[kept++];
        double target = u * keptMass, cumulative = 0;
        int chosen = kept - 1;
        for (int i = 0; i < kept; i++)
        {
            cumulative += _keys[i];
            if (cumulative > target)
            {
                chosen = i;
                break;
            }
        }
        return (_indices[chosen], (float)(_keys[chosen] / keptMass));
    }

    private static double Sum(ReadOnlySpan<float> values)
    {
        double sum = 0;
        foreach (float v in values) sum += v;
        return sum;
    }
}
