using DeepResearcher.Engine.Model;

namespace DeepResearcher.Engine.Tests.Model;

/// <summary>Each layer's backward against central finite differences of its forward, on tiny shapes.</summary>
public sealed class LayerGradientTests
{
    private static readonly TransformerConfig Tiny = new()
    {
        ModelType = "qwen2", VocabSize = 11, HiddenSize = 8, IntermediateSize = 12, NumLayers = 2,
        NumHeads = 4, NumKeyValueHeads = 2, RopeTheta = 100.0, RmsNormEps = 1e-6, QkvBias = true,
    };

    [Fact]
    public void RmsNorm_BackwardMatchesFiniteDifferences()
    {
        const int rows = 3, dim = 8;
        var x = FiniteDifference.Random(rows * dim, 1);
        var w = FiniteDifference.Random(dim, 2);
        var r = FiniteDifference.Random(rows * dim, 3);
        var y = new float[rows * dim];
        var rstd = new float[rows];
        double Loss()
        {
            RmsNorm.Forward(x, w, y, rstd, rows, dim, 1e-6f);
            return FiniteDifference.Project(y, r);
        }
        Loss();
        var dx = new float[rows * dim];
        var dw = new float[dim];
        RmsNorm.Backward(r, x, w, rstd, dx, dw, rows, dim);
        FiniteDifference.Check("rmsnorm.dx", x, dx, Loss);
        FiniteDifference.Check("rmsnorm.dw", w, dw, Loss);
    }

    [Fact]
    public void Rope_BackwardMatchesFiniteDifferences()
    {
        var rope = new RotaryEmbedding(headDim: 4, theta: 10.0);
        int[] positions = [0, 1, 2, 0, 5];
        const int heads = 2, width = heads * 4;
        var x = FiniteDifference.Random(positions.Length * width, 4);
        var r = FiniteDifference.Random(positions.Length * width, 5);
        double Loss()
        {
            var y = (float[])x.Clone();
            rope.Forward(y, positions, heads);
            return FiniteDifference.Project(y, r);
        }
        var dx = (float[])r.Clone();
        rope.Backward(dx, positions, heads);
        FiniteDifference.Check("rope.dx", x, dx, Loss, samples: 40);
    }

    [Theory]
    [InlineData(64)] // half 32: two full Vector512 steps
    [InlineData(40)] // half 20: one vector step and a scalar tail
    public void Rope_WideHeadsMatchDirectRotationAndBackwardInverts(int headDim)
    {
        var rope = new RotaryEmbedding(headDim, theta: 10000.0);
        int[] positions = [0, 1, 7, 300, 2, 511];
        const int heads = 3;
        int width = heads * headDim, half = headDim / 2;
        var x = FiniteDifference.Random(positions.Length * width, 20);
        var y = (float[])x.Clone();
        rope.Forward(y, positions, heads);
        for (int r = 0; r < positions.Length; r++)
        {
            for (int h = 0; h < heads; h++)
            {
                for (int i = 0; i < half; i++)
                {
                    double angle = positions[r] / Math.Pow(10000.0, 2.0 * i / headDim);
                    int at = r * width + h * headDim + i;
                    Assert.Equal(x[at] * Math.Cos(angle) - x[at + half] * Math.Sin(angle), y[at], tolerance: 1e-5);
                    Assert.Equal(x[at + half] * Math.Cos(angle) + x[at] * Math.Sin(angle), y[at + half], tolerance: 1e-5);
                }
            }
        }

        rope.Backward(y, positions, heads);
        for (int i = 0; i < x.Length; i++) Assert.Equal(x[i], y[i], tolerance: 1e-5);
    }

    [Fact]
    public void Rope_PositionZeroIsIdentityAndRotationPreservesNorm()
    {
        var rope = new RotaryEmbedding(headDim: 4, theta: 10.0);
        float[] x = [1f, 2f, 3f, 4f, 1f, 2f, 3f, 4f];
        rope.Forward(x, [0, 3], heads: 1);
        Assert.Equal([1f, 2f, 3f, 4f], x[..4]);
        Assert.NotEqual([1f, 2f, 3f, 4f], x[4..]);
        Assert.Equal(30.0, x[4..].Sum(v => (double)v * v), 4);
        // pair (0, 2) rotates by 3 rad at frequency 1: (1·cos3 − 3·sin3, 3·cos3 + 1·sin3)
        Assert.Equal(Math.Cos(3) - 3 * Math.Sin(3), x[4], 5);
        Assert.Equal(3 * Math.Cos(3) + Math.Sin(3), x[6], 5);
    }

    [Fact]
    public void Linear_WithBiasAndLora_BackwardMatchesFiniteDifferences()
    {
        const int rows = 3;
        var linear = new Linear("m.proj", inFeatures: 5, outFeatures: 4, bias: true);
        FiniteDifference.Random(20, 6).CopyTo(linear.Weight.Data, 0);
        FiniteDifference.Random(4, 7).CopyTo(linear.Bias!.Data, 0);
        var lora = linear.AttachLora(rank: 2, alpha: 4f);
        FiniteDifference.Random(10, 8).CopyTo(lora.A.Data, 0);
        FiniteDifference.Random(8, 9).CopyTo(lora.B.Data, 0);
        var x = FiniteDifference.Random(rows * 5, 10);
        var r = FiniteDifference.Random(rows * 4, 11);
        var y = new float[rows * 4];
        double Loss()
        {
            linear.Forward(x, y, rows);
            return FiniteDifference.Project(y, r);
        }
        Loss();
        var dx = new float[rows * 5];
        linear.Backward(r, x, dx, rows, accumulateDx: false, new float[rows * 2]);
        FiniteDifference.Check("linear.dx", x, dx, Loss);
        FiniteDifference.Check("linear.dW", linear.Weight.Data, linear.Weight.Grad, Loss);
        FiniteDifference.Check("linear.db", linear.Bias.Data, linear.Bias.Grad, Loss);
        FiniteDifference.Check("lora.dA", lora.A.Data, lora.A.Grad, Loss);
        FiniteDifference.Check("lora.dB", lora.B.Data, lora.B.Grad, Loss);
    }

    [Fact]
    public void Attention_GroupedQueryOverPackedSequences_BackwardMatchesFiniteDifferences()
    {
        var rope = new RotaryEmbedding(Tiny.HeadDim, Tiny.RopeTheta);
        var attention = new Attention("a", Tiny, rope) { BlockRows = 3 };
        int seed = 20;
        foreach (var linear in new[] { attention.QProj, attention.KProj, attention.VProj, attention.OProj })
        {
            FiniteDifference.Random(linear.Weight.Length, seed++, 0.7f).CopyTo(linear.Weight.Data, 0);
            if (linear.Bias is not null) FiniteDifference.Random(linear.Bias.Length, seed++, 0.3f).CopyTo(linear.Bias.Data, 0);
        }
        var batch = new TokenBatch([0, 0, 0, 0, 0, 0, 0], [4, 3]);
        int n = batch.TokenCount * Tiny.HiddenSize;
        var x = FiniteDifference.Random(n, 40);
        var r = FiniteDifference.Random(n, 41);
        var y = new float[n];
        var ws = new Workspace();
        double Loss()
        {
            attention.Forward(x, y, batch, ws);
            return FiniteDifference.Project(y, r);
        }
        Loss();
        var dx = new float[n];
        attention.Backward(r, x, dx, batch, ws);
        FiniteDifference.Check("attention.dx", x, dx, Loss, samples: 40);
        FiniteDifference.Check("attention.dWq", attention.QProj.Weight.Data, attention.QProj.Weight.Grad, Loss);
        FiniteDifference.Check("attention.dbq", attention.QProj.Bias!.Data, attention.QProj.Bias.Grad, Loss);
        FiniteDifference.Check("attention.dWk", attention.KProj.Weight.Data, attention.KProj.Weight.Grad, Loss);
        FiniteDifference.Check("attention.dbk", attention.KProj.Bias!.Data, attention.KProj.Bias.Grad, Loss);
        FiniteDifference.Check("attention.dWv", attention.VProj.Weight.Data, attention.VProj.Weight.Grad, Loss);
        FiniteDifference.Check("attention.dWo", attention.OProj.Weight.Data, attention.OProj.Weight.Grad, Loss);
    }

    [Fact]
    public void Attention_DoesNotLookAcrossSequencesOrIntoTheFuture()
    {
        var rope = new RotaryEmbedding(Tiny.HeadDim, Tiny.RopeTheta);
        var attention = new Attention("a", Tiny, rope) { BlockRows = 2 };
        int seed = 60;
        foreach (var linear in new[] { attention.QProj, attention.KProj, attention.VProj, attention.OProj })
            FiniteDifference.Random(linear.Weight.Length, seed++).CopyTo(linear.Weight.Data, 0);
        var batch = new TokenBatch(new int[6], [3, 3]);
        int d = Tiny.HiddenSize;
        var x = FiniteDifference.Random(6 * d, 70);
        var before = new float[6 * d];
        attention.Forward(x, before, batch, new Workspace());
        x[2 * d] += 1f; // last token of sequence 0
        var after = new float[6 * d];
        attention.Forward(x, after, batch, new Workspace());
        Assert.Equal(before[..(2 * d)], after[..(2 * d)]);
        Assert.Equal(before[(3 * d)..], after[(3 * d)..]);
        Assert.NotEqual(before[(2 * d)..(3 * d)], after[(2 * d)..(3 * d)]);
    }

    [Fact]
    public void SwiGluMlp_BackwardMatchesFiniteDifferences()
    {
        var mlp = new SwiGluMlp("m", Tiny);
        FiniteDifference.Random(mlp.GateProj.Weight.Length, 80).CopyTo(mlp.GateProj.Weight.Data, 0);
        FiniteDifference.Random(mlp.UpProj.Weight.Length, 81).CopyTo(mlp.UpProj.Weight.Data, 0);
        FiniteDifference.Random(mlp.DownProj.Weight.Length, 82).CopyTo(mlp.DownProj.Weight.Data, 0);
        const int rows = 3;
        var x = FiniteDifference.Random(rows * Tiny.HiddenSize, 83);
        var r = FiniteDifference.Random(rows * Tiny.HiddenSize, 84);
        var y = new float[rows * Tiny.HiddenSize];
        var ws = new Workspace();
        double Loss()
        {
            mlp.Forward(x, y, rows);
            return FiniteDifference.Project(y, r);
        }
        Loss();
        var dx = new float[x.Length];
        mlp.Backward(r, x, dx, rows, ws);
        FiniteDifference.Check("mlp.dx", x, dx, Loss);
        FiniteDifference.Check("mlp.dWgate", mlp.GateProj.Weight.Data, mlp.GateProj.Weight.Grad, Loss);
        FiniteDifference.Check("mlp.dWup", mlp.UpProj.Weight.Data, mlp.UpProj.Weight.Grad, Loss);
        FiniteDifference.Check("mlp.dWdown", mlp.DownProj.Weight.Data, mlp.DownProj.Weight.Grad, Loss);
    }

    [Fact]
    public void LmHead_ChunkedLogProbsAndBackwardMatchFiniteDifferences()
    {
        const int rows = 5, dim = 4, vocab = 9;
        var hidden = FiniteDifference.Random(rows * dim, 90, 2f);
        var weight = FiniteDifference.Random(vocab * dim, 91);
        int[] targets = [1, 8, 0, 3, 3];
        float[] g = [0.5f, -1f, 0f, 2f, 0.25f]; // a zero weight exercises the skipped-row path
        var logProbs = new float[rows];
        var lse = new float[rows];
        var entropy = new float[rows];
        var ws = new Workspace();
        double Loss()
        {
            LmHead.ForwardLogProbs(hidden, weight, targets, logProbs, lse, entropy, dim, vocab, chunkRows: 2, ws);
            return FiniteDifference.Project(logProbs, g);
        }
        Loss();
        for (int t = 0; t < rows; t++)
        {
            // log-softmax directly, in double
            double max = double.NegativeInfinity, sum = 0, target = 0;
            var logits = new double[vocab];
            for (int v = 0; v < vocab; v++)
            {
                for (int i = 0; i < dim; i++) logits[v] += (double)hidden[t * dim + i] * weight[v * dim + i];
                max = Math.Max(max, logits[v]);
            }
            foreach (double l in logits) sum += Math.Exp(l - max);
            target = logits[targets[t]];
            Assert.Equal(target - max - Math.Log(sum), logProbs[t], 5);
        }
        var dHidden = new float[rows * dim];
        var dWeight = new float[vocab * dim];
        LmHead.Backward(g, [], hidden, weight, targets, lse, entropy, dHidden, dWeight, dim, vocab, chunkRows: 2, ws);
        Assert.All(dHidden[(2 * dim)..(3 * dim)], v => Assert.Equal(0f, v));
        FiniteDifference.Check("lmhead.dhidden", hidden, dHidden, Loss);
        FiniteDifference.Check("lmhead.dW", weight, dWeight, Loss);
    }

    [Theory]
    [InlineData(2, true)]   // several chunks, a row with both gradients zero is skipped
    [InlineData(16, false)] // one chunk, every row active: backward reuses the forward's logits in place
    [InlineData(16, true)]  // one chunk with a skipped row: the forward's logits of the active rows are compacted
    public void LmHead_EntropyAndItsGradientMatchFiniteDifferences(int chunkRows, bool skipRow)
    {
        const int rows = 5, dim = 4, vocab = 9;
        var hidden = FiniteDifference.Random(rows * dim, 92, 2f);
        var weight = FiniteDifference.Random(vocab * dim, 93);
        int[] targets = [2, 8, 0, 4, 4];
        float[] g = [0.5f, 0f, skipRow ? 0f : 0.3f, 2f, 0.25f];
        float[] e = [0.7f, -1.5f, skipRow ? 0f : 0.4f, 0f, 1f]; // row 1 has only an entropy gradient, row 3 only a log-prob one
        var logProbs = new float[rows];
        var lse = new float[rows];
        var entropy = new float[rows];
        var ws = new Workspace();
        double Loss()
        {
            LmHead.ForwardLogProbs(hidden, weight, targets, logProbs, lse, entropy, dim, vocab, chunkRows, ws);
            return FiniteDifference.Project(logProbs, g) + FiniteDifference.Project(entropy, e);
        }
        Loss();
        for (int t = 0; t < rows; t++)
        {
            var logits = new double[vocab];
            for (int v = 0; v < vocab; v++)
                for (int i = 0; i < dim; i++) logits[v] += (double)hidden[t * dim + i] * weight[v * dim + i];
            double max = logits.Max(), logSum = Math.Log(logits.Sum(l => Math.Exp(l - max)));
            double h = -logits.Sum(l => Math.Exp(l - max - logSum) * (l - max - logSum));
            Assert.Equal(h, entropy[t], 5);
        }
        var dHidden = new float[rows * dim];
        var dWeight = new float[vocab * dim];
        LmHead.Backward(g, e, hidden, weight, targets, lse, entropy, dHidden, dWeight, dim, vocab, chunkRows, ws);
        if (skipRow) Assert.All(dHidden[(2 * dim)..(3 * dim)], v => Assert.Equal(0f, v));
        FiniteDifference.Check("lmhead.entropy.dhidden", hidden, dHidden, Loss);
        FiniteDifference.Check("lmhead.entropy.dW", weight, dWeight, Loss);
    }

    [Fact]
    public void TinyModel_EntropyBackwardMatchesFiniteDifferences()
    {
        var model = TransformerModel.Create(Tiny with { NumLayers = 1 });
        int seed = 300;
        foreach (var p in model.Parameters)
        {
            FiniteDifference.Random(p.Length, seed++, p.Name.Contains("norm", StringComparison.Ordinal) ? 0.2f : 0.6f)
                .Select(v => p.Name.Contains("norm", StringComparison.Ordinal) ? 1f + v : v).ToArray().CopyTo(p.Data, 0);
        }

        model.AttentionBlockRows = 2;
        var batch = new TokenBatch([1, 5, 2, 7, 7, 3, 10], [4, 3]);
        int[] targets = [5, 2, 7, 0, 3, 10, 4];
        float[] logProbWeights = [0.3f, -0.2f, 0f, 0.5f, 0f, -0.4f, 0.2f];
        float[] entropyWeights = [0.1f, 0f, 0.6f, -0.3f, 0f, 0.2f, 0.4f]; // token 4 has neither
        var logProbs = new float[targets.Length];
        var entropy = new float[targets.Length];
        double Loss()
        {
            model.ForwardLogProbs(batch, targets, logProbs, entropy);
            return FiniteDifference.Project(logProbs, logProbWeights) + FiniteDifference.Project(entropy, entropyWeights);
        }
        Loss();
        Assert.All(entropy, h => Assert.InRange(h, 0f, MathF.Log(Tiny.VocabSize) + 1e-5f));
        model.Backward(logProbWeights, entropyWeights);
        foreach (var p in model.Parameters)
            FiniteDifference.Check(p.Name, p.Data, p.Grad, Loss, samples: 8);
    }

    [Fact]
    public void UntiedLlamaModel_BackwardMatchesFiniteDifferences()
    {
        var config = Tiny with { ModelType = "llama", TieWordEmbeddings = false, QkvBias = true, OutputBias = true, NumLayers = 1 };
        var model = TransformerModel.Create(config);
        int seed = 100;
        foreach (var p in model.Parameters)
        {
            FiniteDifference.Random(p.Length, seed++, p.Name.Contains("norm", StringComparison.Ordinal) ? 0.2f : 0.6f)
                .Select(v => p.Name.Contains("norm", StringComparison.Ordinal) ? 1f + v : v).ToArray().CopyTo(p.Data, 0);
        }

        model.LmHeadChunkRows = 3;
        model.AttentionBlockRows = 2;
        var batch = new TokenBatch([1, 5, 2, 7, 7, 3, 10], [5, 2]);
        int[] targets = [5, 2, 7, 0, 3, 10, 4];
        float[] weights = [0.3f, -0.2f, 0f, 0.5f, 0.1f, -0.4f, 0.2f];
        var logProbs = new float[targets.Length];
        double Loss()
        {
            model.ForwardLogProbs(batch, targets, logProbs);
            return FiniteDifference.Project(logProbs, weights);
        }
        Loss();
        model.Backward(weights);
        Assert.NotSame(model.EmbedTokens, model.LmHeadWeight);
        Assert.Contains(model.Parameters, p => p.Name == "lm_head.weight");
        Assert.Contains(model.Parameters, p => p.Name == "model.layers.0.self_attn.o_proj.bias");
        foreach (var p in model.Parameters)
            FiniteDifference.Check(p.Name, p.Data, p.Grad, Loss, samples: 8);
    }
}
