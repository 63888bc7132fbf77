using DeepResearcher.Engine.Model;
using DeepResearcher.Training.Policy;
using DeepResearcher.Training.Rollouts;

namespace DeepResearcher.Training.Grpo;

/// <summary>
/// The GRPO update on a batch of rollout groups: build token-exact sequences with their advantages, get the old and
/// reference log-probs, then run the clipped objective with the k3 KL over PPO epochs and mini-batches. The loss is a
/// token mean over the whole mini-batch, whatever the micro-batch split.
/// </summary>
public sealed class GrpoTrainer(PolicyUpdate update, TransformerModel? reference, GrpoTrainerOptions options)
{
    public GrpoStepStats Step(IReadOnlyList<RolloutGroup> groups, float learningRate)
    {
        var sequences = new List<PolicySequence>();
        int dropped = 0;
        foreach (RolloutGroup group in groups)
        {
            if (options.DropZeroVarianceGroups && GroupAdvantages.HasZeroVariance(group.Rewards))
            {
                dropped++;
                continue;
            }

            foreach (Rollout rollout in group.Rollouts)
            {
                sequences.Add(PolicySequence.FromTrajectory(rollout.Trajectory, rollout.Advantage));
            }
        }

        return Update(sequences, dropped, learningRate);
    }

    /// <summary>The update on ready sequences (their <see cref="PolicySequence.Advantage"/> set).</summary>
    public GrpoStepStats Update(IReadOnlyList<PolicySequence> sequences, int droppedGroups, float learningRate)
    {
        if (sequences.Count == 0)
        {
            return new GrpoStepStats(0, 0, droppedGroups, 0, 0, 0, 0, 0, 0);
        }

        var old = new Dictionary<PolicySequence, float[]>(ReferenceEqualityComparer.Instance);
        var refs = new Dictionary<PolicySequence, float[]>(ReferenceEqualityComparer.Instance);
        if (options.Loss.KlCoefficient != 0 && reference is null)
        {
            throw new InvalidOperationException("A KL coefficient above 0 needs a reference model; set kl_coef to 0 to train without one.");
        }

        // Forward-only passes in the same micro-batches as the update: one sequence at a time would run the GEMMs at M = one sequence.
        foreach (List<PolicySequence> micro in MicroBatches.Pack(sequences, update.MicroBatchTokens))
        {
            float[]? recomputed = options.RecomputeOldLogProbs ? update.LogProbs(micro) : null;
            float[]? referenced = options.Loss.KlCoefficient != 0 ? ForwardLogProbs(reference!, micro) : null;
            int at = 0;
            foreach (PolicySequence sequence in micro)
            {
                old[sequence] = recomputed is null ? sequence.OldLogProbs : recomputed[at..(at + sequence.Length)];
                if (referenced is not null)
                {
                    refs[sequence] = referenced[at..(at + sequence.Length)];
                }

                at += sequence.Length;
            }
        }

        int miniBatch = options.MiniBatchSize > 0 ? options.MiniBatchSize : sequences.Count;
        double loss = 0, policy = 0, kl = 0, clip = 0, norm = 0, entropy = 0;
        int steps = 0, tokens = 0;
        for (int epoch = 0; epoch < Math.Max(1, options.PpoEpochs); epoch++)
        {
            for (int start = 0; start < sequences.Count; start += miniBatch)
            {
                List<PolicySequence> batch = [.. sequences.Skip(start).Take(miniBatch)];
                int batchTokens = batch.Sum(s => s.PolicyTokens);
                double batchPolicy = 0, batchKl = 0, batchClip = 0;
                double batchEntropy = 0;
                double MicroLoss(IReadOnlyList<PolicySequence> micro, ReadOnlySpan<float> logProbs, ReadOnlySpan<float> entropy, Span<float> gradient, Span<float> entropyGradient)
                {
                    (float[] o, float[] r, float[] a, byte[] m) = Flatten(micro, old, refs);
                    GrpoLossResult result = GrpoLoss.Compute(logProbs, o, r, a, m, micro.Count, options.Loss, gradient, entropy, entropyGradient);
                    // Re-weight the micro-batch's mean into the mini-batch's mean.
                    double share = options.Loss.Aggregation == LossAggregation.TokenMean
                        ? (double)result.Tokens / Math.Max(1, batchTokens)
                        : (double)micro.Count / batch.Count;
                    for (int t = 0; t < gradient.Length; t++)
                    {
                        gradient[t] = (float)(gradient[t] * share);
                    }

                    for (int t = 0; t < entropyGradient.Length; t++)
                    {
                        entropyGradient[t] = (float)(entropyGradient[t] * share);
                    }

                    batchPolicy += result.PolicyLoss * share;
                    batchKl += result.Kl * result.Tokens / Math.Max(1, batchTokens);
                    batchClip += result.ClipFraction * result.Tokens / Math.Max(1, batchTokens);
                    batchEntropy += result.Entropy * result.Tokens / Math.Max(1, batchTokens);
                    return result.Loss * share;
                }

                // The entropy is always computed (it is logged); its gradient is zero unless there is a bonus.
                (double stepLoss, float gradNorm) = update.Step(batch, MicroLoss, learningRate);
                loss += stepLoss;
                policy += batchPolicy;
                kl += batchKl;
                clip += batchClip;
                entropy += batchEntropy;
                norm += gradNorm;
                tokens = epoch == 0 ? tokens + batchTokens : tokens;
                steps++;
            }
        }

        return new GrpoStepStats(sequences.Count, tokens, droppedGroups, loss / steps, policy / steps, kl / steps, clip / steps, norm / steps, steps, entropy / steps);
    }

    private static float[] ForwardLogProbs(TransformerModel reference, IReadOnlyList<PolicySequence> micro)
    {
        (TokenBatch tokens, int[] targets) = PolicyUpdate.Pack(micro);
        var logProbs = new float[targets.Length];
        reference.ForwardLogProbs(tokens, targets, logProbs);
        return logProbs;
    }

    private static (float[] Old, float[] Ref, float[] Advantages, byte[] Mask) Flatten(
        IReadOnlyList<PolicySequence> micro, Dictionary<PolicySequence, float[]> old, Dictionary<PolicySequence, float[]> refs)
    {
        int total = micro.Sum(s => s.Length);
        var o = new float[total];
        var r = new float[refs.Count > 0 ? total : 0];
        var a = new float[total];
        var m = new byte[total];
        int at = 0;
        foreach (PolicySequence s in micro)
        {
            old[s].CopyTo(o, at);
            if (refs.Count > 0)
            {
                refs[s].CopyTo(r, at);
            }

            Array.Fill(a, s.Advantage, at, s.Length);
            s.Mask.CopyTo(m, at);
            at += s.Length;
        }

        return (o, r, a, m);
    }
}
