using DeepResearcher.Training.Backends;
using DeepResearcher.Training.Rollouts;

namespace DeepResearcher.Training.Grpo;

/// <summary>
/// The GRPO update on a batch of rollout groups: build token-exact sequences with their advantages, get the old and
/// reference log-probs, then run the clipped objective with the k3 KL over PPO epochs and mini-batches. The loss is a
/// token mean over the whole mini-batch, whatever the micro-batch split. It runs on any policy backend: the named
/// GRPO loss and the optimizer step are the backend's, the reference is any log-prob source.
/// </summary>
public sealed class GrpoTrainer(IPolicyBackend policy, ILogProbSource? reference, GrpoTrainerOptions options)
{
    public Task<GrpoStepStats> StepAsync(IReadOnlyList<RolloutGroup> groups, float learningRate, CancellationToken cancellationToken)
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

        return UpdateAsync(sequences, dropped, learningRate, cancellationToken);
    }

    /// <summary>The update on ready sequences (their <see cref="PolicySequence.Advantage"/> set).</summary>
    public async Task<GrpoStepStats> UpdateAsync(IReadOnlyList<PolicySequence> sequences, int droppedGroups, float learningRate, CancellationToken cancellationToken)
    {
        if (sequences.Count == 0)
        {
            return new GrpoStepStats(0, 0, droppedGroups, 0, 0, 0, 0, 0, 0);
        }

        if (options.Loss.KlCoefficient != 0 && reference is null)
        {
            throw new InvalidOperationException("A KL coefficient above 0 needs a reference model; set kl_coef to 0 to train without one.");
        }

        // Forward-only passes before the first update: the old policy's log-probs (when recomputed) and the reference's.
        List<TokenDatum> inputs = [.. sequences.Select(s => new TokenDatum(s.Inputs, s.Targets, s.Mask))];
        IReadOnlyList<float[]>? recomputed = options.RecomputeOldLogProbs ? await policy.ComputeLogProbsAsync(inputs, cancellationToken) : null;
        IReadOnlyList<float[]>? referenced = options.Loss.KlCoefficient != 0 ? await reference!.ComputeLogProbsAsync(inputs, cancellationToken) : null;
        var data = new List<TokenDatum>(sequences.Count);
        for (int i = 0; i < sequences.Count; i++)
        {
            PolicySequence s = sequences[i];
            var advantages = new float[s.Length];
            Array.Fill(advantages, s.Advantage);
            data.Add(inputs[i] with
            {
                SamplingLogProbs = recomputed is null ? s.OldLogProbs : recomputed[i],
                Advantages = advantages,
                ReferenceLogProbs = referenced?[i],
            });
        }

        int miniBatch = options.MiniBatchSize > 0 ? options.MiniBatchSize : data.Count;
        double loss = 0, policyLoss = 0, kl = 0, clip = 0, norm = 0, entropy = 0;
        int steps = 0, tokens = 0;
        for (int epoch = 0; epoch < Math.Max(1, options.PpoEpochs); epoch++)
        {
            for (int start = 0; start < data.Count; start += miniBatch)
            {
                List<TokenDatum> batch = [.. data.Skip(start).Take(miniBatch)];
                int batchTokens = batch.Sum(d => d.LossTokens);
                ForwardBackwardResult result = await policy.ForwardBackwardAsync(batch, LossFunction.Grpo, options.Loss, cancellationToken);
                OptimStepResult step = await policy.OptimStepAsync(options.Adam with { LearningRate = learningRate }, cancellationToken);
                loss += result.Loss;
                policyLoss += result.PolicyLoss;
                kl += result.Kl;
                clip += result.ClipFraction;
                entropy += result.Entropy;
                norm += step.GradNorm;
                tokens = epoch == 0 ? tokens + batchTokens : tokens;
                steps++;
            }
        }

        return new GrpoStepStats(sequences.Count, tokens, droppedGroups, loss / steps, policyLoss / steps, kl / steps, clip / steps, norm / steps, steps, entropy / steps);
    }
}
