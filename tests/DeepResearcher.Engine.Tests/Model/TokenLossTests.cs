using DeepResearcher.Engine.Model;

namespace DeepResearcher.Engine.Tests.Model;

public sealed class TokenLossTests
{
    [Fact]
    public void MaskedMean_AveragesOverMaskedTokensOnly()
    {
        float[] logProbs = [-1f, -2f, -3f, -4f];
        byte[] mask = [0, 1, 1, 0];
        var grad = new float[] { 9f, 9f, 9f, 9f };
        double loss = TokenLoss.MaskedMeanNegativeLogLikelihood(logProbs, mask, grad);
        Assert.Equal(2.5, loss, 12);
        Assert.Equal([0f, -0.5f, -0.5f, 0f], grad);
    }

    [Fact]
    public void MaskedMean_EmptyMaskGivesZeroLossAndGradient()
    {
        var grad = new float[] { 9f, 9f };
        Assert.Equal(0.0, TokenLoss.MaskedMeanNegativeLogLikelihood([-1f, -2f], [0, 0], grad));
        Assert.Equal([0f, 0f], grad);
    }

    [Fact]
    public void Normalizer_OfTheWholeBatch_MakesMicroBatchLossesSumToTheBatchMean()
    {
        float[] logProbs = [-1f, -2f, -3f, -4f, -5f];
        byte[] mask = [1, 1, 0, 1, 1];
        var whole = new float[5];
        double mean = TokenLoss.MaskedMeanNegativeLogLikelihood(logProbs, mask, whole);
        var first = new float[2];
        var second = new float[3];
        double split = TokenLoss.MaskedNegativeLogLikelihood(logProbs.AsSpan(0, 2), mask.AsSpan(0, 2), 4, first)
            + TokenLoss.MaskedNegativeLogLikelihood(logProbs.AsSpan(2), mask.AsSpan(2), 4, second);
        Assert.Equal(mean, split, 12);
        Assert.Equal(whole, first.Concat(second).ToArray());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(1000)]
    [InlineData(12345)]
    public void Gradient_IsTheFloatQuotient(int tokens)
    {
        // The SFT warm start wrote −1f / n before the loss moved here; the double quotient rounded once is that float.
        var grad = new float[1];
        TokenLoss.MaskedNegativeLogLikelihood([-1f], [1], tokens, grad);
        Assert.Equal(BitConverter.SingleToInt32Bits(-1f / tokens), BitConverter.SingleToInt32Bits(grad[0]));
    }

    [Fact]
    public void Mismatched_Lengths_AreRejected()
    {
        Assert.Throws<ArgumentException>(() => TokenLoss.MaskedNegativeLogLikelihood([-1f, -2f], [1], 1, new float[2]));
    }
}
