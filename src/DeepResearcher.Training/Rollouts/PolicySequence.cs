using DeepResearcher.Core.Trajectories;

namespace DeepResearcher.Training.Rollouts;

/// <summary>
/// One trajectory as a causal-LM training sequence: inputs are tokens[0..n−1], targets tokens[1..n]; the loss mask,
/// the sampling log-probabilities and the advantage are aligned with the targets. Built from the token ids stored
/// at sampling time, never by re-tokenising text.
/// </summary>
public sealed record PolicySequence(int[] Inputs, int[] Targets, byte[] Mask, float[] OldLogProbs, float Advantage)
{
    public int Length => Inputs.Length;

    /// <summary>Targets with mask 1 (counted once: the trainers ask for it in their loops).</summary>
    public int PolicyTokens { get; } = CountPolicyTokens(Mask);

    private static int CountPolicyTokens(byte[] mask)
    {
        int count = 0;
        foreach (byte m in mask)
        {
            count += m;
        }

        return count;
    }

    public static PolicySequence FromTrajectory(Trajectory trajectory, double advantage)
    {
        int[] ids = trajectory.TokenIds();
        byte[] mask = trajectory.LossMask();
        var logProbs = new float[ids.Length];
        int at = 0;
        foreach (TrajectorySegment segment in trajectory.Segments)
        {
            int count = segment.TokenIds!.Length;
            if (segment.Kind == SegmentKind.Policy)
            {
                if (segment.LogProbs is null || segment.LogProbs.Length != count)
                {
                    throw new InvalidOperationException($"Trajectory {trajectory.Id}: a policy segment of turn {segment.Turn} has no sampling log-probabilities for its {count} tokens.");
                }

                segment.LogProbs.CopyTo(logProbs, at);
            }

            at += count;
        }

        if (ids.Length < 2)
        {
            throw new InvalidOperationException($"Trajectory {trajectory.Id} has fewer than two tokens.");
        }

        return new PolicySequence(ids[..^1], ids[1..], mask[1..], logProbs[1..], (float)advantage);
    }
}
