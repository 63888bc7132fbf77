using DeepResearcher.Training.Grpo;

namespace DeepResearcher.Training.Tests.Grpo;

/// <summary>Values worked out by hand; the arithmetic is in the comments.</summary>
public class GrpoLossTests
{
    private static readonly float[] LogProbs = [-1.0f, -2.0f, -0.5f, -3.0f];
    private static readonly float[] Old = [-1.0f, -1.5f, -0.5f, -3.5f];
    private static readonly float[] Ref = [-1.2f, -2.0f, -0.4f, -3.0f];
    private static readonly float[] Advantages = [1f, 1f, -2f, 0.5f];
    private static readonly byte[] Mask = [1, 1, 0, 1];

    [Fact]
    public void Clipped_objective_with_k3_kl_matches_the_hand_computation()
    {
        var gradient = new float[4];

        GrpoLossResult result = GrpoLoss.Compute(LogProbs, Old, Ref, Advantages, Mask, 1, new GrpoLossOptions { KlCoefficient = 0.1 }, gradient);

        // t0: ρ = e^0 = 1, both branches −1 → loss −1, grad −Aρ = −1.
        //     k3: d = ref − logπ = −0.2, e^d = 0.8187308; k3 = 0.8187308 + 0.2 − 1 = 0.0187308; grad += 0.1 (1 − 0.8187308) = 0.0181269.
        // t1: ρ = e^−0.5 = 0.6065307; clip(ρ) = 0.8; −Aρ = −0.6065307 ≥ −0.8 → unclipped: loss −0.6065307, grad −0.6065307. k3 = 0.
        // t2: masked out.
        // t3: ρ = e^0.5 = 1.6487213; clip(ρ) = 1.2; A = 0.5: −0.8243606 < −0.6 → the clip holds: loss −0.6, grad 0. k3 = 0.
        // Token mean over 3 tokens: policy = (−1 − 0.6065307 − 0.6) / 3 = −0.7355102; KL term 0.1 · 0.0187308 / 3 = 0.0006244.
        Assert.Equal(3, result.Tokens);
        Assert.Equal(-0.7355102, result.PolicyLoss, 1e-6);
        Assert.Equal(-0.7355102 + 0.0006244, result.Loss, 1e-6);
        Assert.Equal(0.0187308 / 3, result.Kl, 1e-6);
        Assert.Equal(1.0 / 3, result.ClipFraction, 1e-12);
        Assert.Equal((-1 + 0.0181269) / 3, gradient[0], 1e-6);
        Assert.Equal(-0.6065307 / 3, gradient[1], 1e-6);
        Assert.Equal(0f, gradient[2]);
        Assert.Equal(0f, gradient[3]);
    }

    [Fact]
    public void Entropy_bonus_subtracts_the_mean_policy_entropy_and_sends_its_gradient_to_the_entropy()
    {
        var gradient = new float[4];
        var entropyGradient = new float[4];
        float[] entropy = [2.0f, 1.0f, 5.0f, 0.5f];

        GrpoLossResult result = GrpoLoss.Compute(LogProbs, Old, Ref, Advantages, Mask, 1,
            new GrpoLossOptions { KlCoefficient = 0, EntropyCoefficient = 0.01 }, gradient, entropy, entropyGradient);

        // Policy tokens t0, t1, t3 (t2 masked): mean entropy (2 + 1 + 0.5) / 3 = 1.1666667; loss −= 0.01 · 3.5 / 3.
        // dL/dH = −0.01 / 3 on policy tokens, 0 on the masked one; the log-prob gradient is the one without the bonus.
        Assert.Equal(3.5 / 3, result.Entropy, 1e-6);
        Assert.Equal(-0.7355102 - (0.01 * 3.5 / 3), result.Loss, 1e-6);
        Assert.Equal(-0.01 / 3, entropyGradient[0], 1e-7);
        Assert.Equal(-0.01 / 3, entropyGradient[1], 1e-7);
        Assert.Equal(0f, entropyGradient[2]);
        Assert.Equal(-0.01 / 3, entropyGradient[3], 1e-7);
        Assert.Equal(-1.0 / 3, gradient[0], 1e-6);
    }

    [Fact]
    public void Clip_higher_lets_a_positive_advantage_ratio_grow_further()
    {
        var gradient = new float[4];

        // t3 with ε_high = 0.7: clip(1.6487213) = 1.6487213 (inside [0.8, 1.7]) → unclipped, grad −0.5 · 1.6487213.
        GrpoLoss.Compute(LogProbs, Old, Ref, Advantages, Mask, 1, new GrpoLossOptions { KlCoefficient = 0, ClipHigh = 0.7 }, gradient);

        Assert.Equal(-0.5 * 1.6487213 / 3, gradient[3], 1e-6);
    }

    [Fact]
    public void Dr_grpo_divides_by_a_constant_instead_of_the_token_count()
    {
        var gradient = new float[4];

        // 2 sequences × 10 max tokens = 20: policy = (−1 − 0.6065307 − 0.6) / 20.
        GrpoLossResult result = GrpoLoss.Compute(LogProbs, Old, Ref, Advantages, Mask, 2,
            new GrpoLossOptions { KlCoefficient = 0, Aggregation = LossAggregation.ConstantNormalizer, MaxResponseTokens = 10 }, gradient);

        Assert.Equal(-2.2065307 / 20, result.PolicyLoss, 1e-6);
        Assert.Equal(-1.0 / 20, gradient[0], 1e-7);
    }

    [Fact]
    public void The_gradient_is_the_derivative_of_the_loss()
    {
        float[] logp = [-1.3f, -0.2f, -2.4f, -0.9f, -1.1f];
        float[] old = [-1.2f, -0.5f, -2.0f, -0.9f, -1.6f];
        float[] reference = [-1.0f, -0.3f, -2.6f, -1.0f, -1.2f];
        float[] adv = [0.8f, -1.1f, 0.3f, -0.4f, 1.5f];
        byte[] mask = [1, 1, 1, 0, 1];
        var options = new GrpoLossOptions { KlCoefficient = 0.05 };
        var gradient = new float[5];
        GrpoLoss.Compute(logp, old, reference, adv, mask, 1, options, gradient);

        for (int t = 0; t < logp.Length; t++)
        {
            const float h = 1e-3f;
            float[] plus = [.. logp];
            float[] minus = [.. logp];
            plus[t] += h;
            minus[t] -= h;
            double numeric = (GrpoLoss.Compute(plus, old, reference, adv, mask, 1, options, new float[5]).Loss
                              - GrpoLoss.Compute(minus, old, reference, adv, mask, 1, options, new float[5]).Loss) / (2 * h);
            Assert.Equal(numeric, gradient[t], 1e-3);
        }
    }

    [Fact]
    public void Mismatched_lengths_are_rejected()
        => Assert.Throws<ArgumentException>(() => GrpoLoss.Compute(LogProbs, Old, Ref, Advantages, [1, 1], 1, new GrpoLossOptions(), new float[4]));

    [Fact]
    public void No_policy_tokens_means_no_loss_and_no_gradient()
    {
        var gradient = new float[] { 5, 5, 5, 5 };

        GrpoLossResult result = GrpoLoss.Compute(LogProbs, Old, Ref, Advantages, [0, 0, 0, 0], 1, new GrpoLossOptions(), gradient);

        Assert.Equal(0, result.Loss);
        Assert.All(gradient, g => Assert.Equal(0f, g));
    }
}
