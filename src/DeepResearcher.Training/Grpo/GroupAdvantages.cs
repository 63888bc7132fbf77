namespace DeepResearcher.Training.Grpo;

/// <summary>
/// GRPO's critic-free advantage: each rollout's reward against the other rollouts of the same question.
/// </summary>
public static class GroupAdvantages
{
    public const double Epsilon = 1e-6;

    /// <summary>
    /// Advantages for one group. As in verl, the std is the unbiased (n − 1) one, and a group of one gets mean 0 and
    /// std 1, so its advantage is its reward.
    /// </summary>
    public static double[] Compute(ReadOnlySpan<double> rewards, AdvantageNormalization normalization = AdvantageNormalization.MeanStd)
    {
        int n = rewards.Length;
        var advantages = new double[n];
        if (n == 0)
        {
            return advantages;
        }

        double mean = 0;
        double std = 1;
        if (n > 1)
        {
            foreach (double r in rewards)
            {
                mean += r;
            }

            mean /= n;
            double squares = 0;
            foreach (double r in rewards)
            {
                squares += (r - mean) * (r - mean);
            }

            std = Math.Sqrt(squares / (n - 1));
        }

        for (int i = 0; i < n; i++)
        {
            advantages[i] = normalization == AdvantageNormalization.MeanStd ? (rewards[i] - mean) / (std + Epsilon) : rewards[i] - mean;
        }

        return advantages;
    }

    /// <summary>True when every rollout of the group earned the same reward: its advantages are all zero and it teaches nothing.</summary>
    public static bool HasZeroVariance(ReadOnlySpan<double> rewards)
    {
        for (int i = 1; i < rewards.Length; i++)
        {
            if (rewards[i] != rewards[0])
            {
                return false;
            }
        }

        return true;
    }
}
