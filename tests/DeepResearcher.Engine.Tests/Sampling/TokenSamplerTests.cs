using DeepResearcher.Engine.Sampling;

namespace DeepResearcher.Engine.Tests.Sampling;

/// <summary>Temperature, top-k and top-p on hand-made logits, driven by chosen uniform draws.</summary>
public sealed class TokenSamplerTests
{
    private const float Tolerance = 1e-5f;

    /// <summary>Returns the given uniform numbers in turn, so a test picks where on the CDF a draw lands.</summary>
    private sealed class ScriptedRandom(params double[] draws) : Random
    {
        private int _next;

        public override double NextDouble() => draws[_next++ % draws.Length];
    }

    private static float[] LogitsOf(params double[] probabilities) => [.. probabilities.Select(p => (float)Math.Log(p))];

    [Theory]
    [InlineData(0.10, 0)]
    [InlineData(0.20, 1)]
    [InlineData(0.49, 1)]
    [InlineData(0.51, 2)]
    [InlineData(0.99, 2)]
    public void Temperature1_SamplesTheSoftmaxCdf(double u, int expected)
    {
        var logits = LogitsOf(1, 2, 3); // p = 1/6, 2/6, 3/6
        var token = new TokenSampler().Sample(logits, new DecodingOptions(), new ScriptedRandom(u));
        Assert.Equal(expected, token.Id);
        Assert.Equal(Math.Log((expected + 1) / 6.0), token.LogProb, Tolerance);
        Assert.Equal(token.LogProb, token.SamplingLogProb, Tolerance);
    }

    [Fact]
    public void Temperature2_FlattensTheDistribution()
    {
        var logits = LogitsOf(1, 4, 9); // at T = 2: ∝ 1, 2, 3
        var sampler = new TokenSampler();
        var options = new DecodingOptions { Temperature = 2 };
        Assert.Equal(0, sampler.Sample(logits, options, new ScriptedRandom(0.15)).Id);
        var token = sampler.Sample(logits, options, new ScriptedRandom(0.3));
        Assert.Equal(1, token.Id);
        Assert.Equal(Math.Log(2 / 6.0), token.SamplingLogProb, Tolerance);
        Assert.Equal(Math.Log(4 / 14.0), token.LogProb, Tolerance);
    }

    [Fact]
    public void TopK_KeepsTheKMostLikelyRenormalised()
    {
        var logits = LogitsOf(1, 2, 3, 4); // top-2 keeps ids 3 and 2: 4/7, 3/7
        var sampler = new TokenSampler();
        var options = new DecodingOptions { TopK = 2 };
        var first = sampler.Sample(logits, options, new ScriptedRandom(0.5));
        Assert.Equal(3, first.Id);
        Assert.Equal(Math.Log(4 / 7.0), first.SamplingLogProb, Tolerance);
        Assert.Equal(Math.Log(4 / 10.0), first.LogProb, Tolerance);
        var second = sampler.Sample(logits, options, new ScriptedRandom(0.6));
        Assert.Equal(2, second.Id);
        Assert.Equal(Math.Log(3 / 7.0), second.SamplingLogProb, Tolerance);
        Assert.Equal(2, sampler.Sample(logits, options, new ScriptedRandom(0.9999)).Id);
    }

    [Theory]
    [InlineData(0.45f, 0.999, 0, 1.0)]
    [InlineData(0.7f, 0.5, 0, 0.625)]
    [InlineData(0.7f, 0.7, 1, 0.375)]
    [InlineData(0.9f, 0.9, 2, 0.15 / 0.95)]
    [InlineData(1.0f, 0.99, 3, 0.05)]
    public void TopP_KeepsTheSmallestNucleus(float topP, double u, int expected, double samplingProbability)
    {
        var logits = LogitsOf(0.5, 0.3, 0.15, 0.05);
        var token = new TokenSampler().Sample(logits, new DecodingOptions { TopP = topP }, new ScriptedRandom(u));
        Assert.Equal(expected, token.Id);
        Assert.Equal(Math.Log(samplingProbability), token.SamplingLogProb, Tolerance);
        Assert.Equal(Math.Log(new[] { 0.5, 0.3, 0.15, 0.05 }[expected]), token.LogProb, Tolerance);
    }

    [Fact]
    public void TopKThenTopP_AppliesTopPToTheRenormalisedTopK()
    {
        var logits = LogitsOf(0.4, 0.3, 0.2, 0.1); // top-3: 4/9, 3/9, 2/9; top-p 0.5 keeps 4/9 then 3/9
        var token = new TokenSampler().Sample(logits, new DecodingOptions { TopK = 3, TopP = 0.5f }, new ScriptedRandom(0.99));
        Assert.Equal(1, token.Id);
        Assert.Equal(Math.Log(3 / 7.0), token.SamplingLogProb, Tolerance);
    }

    [Fact]
    public void TopP_OnALargeFlatVocabularyMatchesAFullSort()
    {
        var random = new Random(3);
        var logits = new float[5000];
        for (int i = 0; i < logits.Length; i++) logits[i] = (float)(random.NextDouble() * 12 - 6);
        var sampler = new TokenSampler();
        foreach (float topP in new[] { 0.3f, 0.9f, 0.999f })
        {
            var order = Enumerable.Range(0, logits.Length).OrderByDescending(i => logits[i]).ToArray();
            double total = logits.Sum(l => Math.Exp(l)), cumulative = 0;
            int kept = 0;
            while (kept == 0 || cumulative < topP * total) cumulative += Math.Exp(logits[order[kept++]]);
            for (double u = 0.0005; u < 1; u += 0.0379)
            {
                double target = u * cumulative, running = 0;
                int expected = order[kept - 1];
                for (int i = 0; i < kept; i++)
                {
                    running += Math.Exp(logits[order[i]]);
                    if (running > target)
                    {
                        expected = order[i];
                        break;
                    }
                }
                var token = sampler.Sample(logits, new DecodingOptions { TopP = topP }, new ScriptedRandom(u));
                Assert.Equal(expected, token.Id);
                Assert.Equal(Math.Log(Math.Exp(logits[expected]) / cumulative), token.SamplingLogProb, 1e-4);
            }
        }
    }

    [Fact]
    public void TopK1_AndTemperature0_AreGreedy()
    {
        var random = new Random(5);
        var logits = new float[300];
        var sampler = new TokenSampler();
        for (int trial = 0; trial < 20; trial++)
        {
            for (int i = 0; i < logits.Length; i++) logits[i] = (float)(random.NextDouble() * 4);
            int argmax = Array.IndexOf(logits, logits.Max());
            var topK = sampler.Sample(logits, new DecodingOptions { TopK = 1, Temperature = 1.5f }, new ScriptedRandom(random.NextDouble()));
            var greedy = sampler.Sample(logits, new DecodingOptions { Temperature = 0 }, new ScriptedRandom(0.5));
            Assert.Equal(argmax, topK.Id);
            Assert.Equal(argmax, greedy.Id);
            Assert.Equal(0f, topK.SamplingLogProb, Tolerance);
            Assert.Equal(0f, greedy.SamplingLogProb);
            double logSumExp = Math.Log(logits.Sum(l => Math.Exp(l)));
            Assert.Equal(logits[argmax] - logSumExp, greedy.LogProb, Tolerance);
        }
    }

    [Fact]
    public void InvalidOptions_AreNamed()
    {
        Assert.Contains("top-p", Assert.Throws<ArgumentException>(() => new DecodingOptions { TopP = 0 }.Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("temperature", Assert.Throws<ArgumentException>(() => new DecodingOptions { Temperature = -1 }.Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("max new tokens", Assert.Throws<ArgumentException>(() => new DecodingOptions { MaxNewTokens = 0 }.Validate()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TopLogProbs_ListTheMostLikelyTokensUnderTheModelAndChangeNothingSampled()
    {
        var logits = LogitsOf(0.1, 0.3, 0.05, 0.3, 0.25); // ids 1 and 3 tie: the lower id comes first
        var plain = new TokenSampler().Sample(logits, new DecodingOptions { Temperature = 0.7f, TopK = 3 }, new ScriptedRandom(0.42));
        var listed = new TokenSampler().Sample(logits, new DecodingOptions { Temperature = 0.7f, TopK = 3, TopLogProbs = 3 }, new ScriptedRandom(0.42));

        Assert.Equal((plain.Id, plain.LogProb, plain.SamplingLogProb), (listed.Id, listed.LogProb, listed.SamplingLogProb));
        Assert.Empty(plain.TopLogProbs);
        Assert.Equal([1, 3, 4], listed.TopLogProbs.Select(t => t.Id));
        Assert.Equal(Math.Log(0.3), listed.TopLogProbs[0].LogProb, Tolerance);
        Assert.Equal(Math.Log(0.25), listed.TopLogProbs[2].LogProb, Tolerance);

        var greedy = new TokenSampler().Sample(logits, new DecodingOptions { Temperature = 0, TopLogProbs = 9 }, new ScriptedRandom(0.5));
        Assert.Equal(5, greedy.TopLogProbs.Count);
        Assert.Equal(greedy.Id, greedy.TopLogProbs[0].Id);
        Assert.Contains("top log-probs", Assert.Throws<ArgumentException>(() => new DecodingOptions { TopLogProbs = -1 }.Validate()).Message, StringComparison.Ordinal);
    }
}
