using DeepResearcher.Training.Grpo;

namespace DeepResearcher.Training.Tests.Grpo;

public class GroupAdvantagesTests
{
    [Fact]
    public void Normalises_by_the_unbiased_std_of_the_group()
    {
        // rewards 1, 0, 0.5, −1: mean 0.125; squared deviations 0.765625 + 0.015625 + 0.140625 + 1.265625 = 2.1875;
        // unbiased variance 2.1875 / 3 = 0.7291667, std 0.8539126; advantages = deviation / (std + 1e-6).
        double[] a = GroupAdvantages.Compute([1.0, 0.0, 0.5, -1.0]);

        double std = Math.Sqrt(2.1875 / 3);
        Assert.Equal(0.875 / (std + 1e-6), a[0], 1e-12);
        Assert.Equal(-0.125 / (std + 1e-6), a[1], 1e-12);
        Assert.Equal(0.375 / (std + 1e-6), a[2], 1e-12);
        Assert.Equal(-1.125 / (std + 1e-6), a[3], 1e-12);
        Assert.Equal(1.0247, a[0], 1e-4);
        Assert.Equal(0.0, a.Sum(), 1e-12);
    }

    [Fact]
    public void A_uniform_group_has_zero_advantages_and_is_flagged()
    {
        double[] a = GroupAdvantages.Compute([0.5, 0.5, 0.5]);

        Assert.All(a, x => Assert.Equal(0.0, x));
        Assert.True(GroupAdvantages.HasZeroVariance([0.5, 0.5, 0.5]));
        Assert.False(GroupAdvantages.HasZeroVariance([0.5, 0.5, 0.4]));
    }

    [Fact]
    public void A_group_of_one_uses_mean_0_and_std_1()
        => Assert.Equal(0.7 / (1 + 1e-6), Assert.Single(GroupAdvantages.Compute([0.7])), 1e-15);

    [Fact]
    public void Dr_grpo_only_centres()
    {
        // −1 and 1: mean 0 → advantages equal the rewards, whatever the spread.
        Assert.Equal([-1.0, 1.0], GroupAdvantages.Compute([-1.0, 1.0], AdvantageNormalization.MeanOnly));
        Assert.Equal([-0.25, 0.25], GroupAdvantages.Compute([0.0, 0.5], AdvantageNormalization.MeanOnly));
    }
}
