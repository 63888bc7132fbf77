using DeepResearcher.Engine.Model;

namespace DeepResearcher.Engine.Tests.Model;

public sealed class TokenLossTests
{
    [Fact]
    public void MaskedMean_AveragesOverMaskedTokensOnly()
    {
        float[] logProbs = [-1f, -2f, -3f, -4f];
        float[] mask = [0f, 1f, 1f, 0f];
        var grad = new float[4];
        float loss = TokenLoss.MaskedMeanNegativeLogLikelihood(logProbs, mask, grad);
        Assert.Equal(2.5f, loss, 6);
        Assert.Equal([0f, -0.5f, -0.5f, 0f], grad);
    }

    [Fact]
    public void MaskedMean_EmptyMaskGivesZeroLossAndGradient()
    {
        var grad = new float[] { 9f, 9f };
        Assert.Equal(0f, TokenLoss.MaskedMeanNegativeLogLikelihood([-1f, -2f], [0f, 0f], grad));
        Assert.Equal([0f, 0f], grad);
    }

    [Fact]
    public void WeightedSum_PassesWeightsThroughAsGradient()
    {
        var grad = new float[3];
        float loss = TokenLoss.WeightedSum([-1f, -2f, -0.5f], [0.5f, -1f, 2f], grad);
        Assert.Equal(-0.5f + 2f - 1f, loss, 6);
        Assert.Equal([0.5f, -1f, 2f], grad);
    }
}
