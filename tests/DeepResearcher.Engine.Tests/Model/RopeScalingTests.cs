using DeepResearcher.Engine.Checkpoints;
using DeepResearcher.Engine.Model;

namespace DeepResearcher.Engine.Tests.Model;

public sealed class RopeScalingTests
{
    private static readonly RopeScaling Llama3 = new()
    {
        Type = "llama3", Factor = 32, LowFreqFactor = 1, HighFreqFactor = 4, OriginalMaxPositionEmbeddings = 8192,
    };

    [Fact]
    public void Llama3_KeepsHighDividesLowAndBlendsMiddleFrequencies()
    {
        Assert.Equal(1.0, Llama3.Apply(1.0));
        double low = 2 * Math.PI / 10000; // wavelength 10000 > 8192
        Assert.Equal(low / 32, Llama3.Apply(low), 15);
        double middle = 2 * Math.PI / 4096; // between 8192/4 and 8192/1: smooth = (8192/4096 − 1) / 3
        Assert.Equal((2.0 / 3) * middle / 32 + (1.0 / 3) * middle, Llama3.Apply(middle), 15);
    }

    [Fact]
    public void Linear_DividesEveryFrequency()
        => Assert.Equal(0.25, new RopeScaling { Type = "linear", Factor = 4 }.Apply(1.0));

    [Fact]
    public void Config_ParsesLlama3RopeScalingAndRejectsUnknownTypes()
    {
        const string json = """
            { "model_type": "llama", "vocab_size": 32, "hidden_size": 16, "intermediate_size": 24, "num_hidden_layers": 1,
              "num_attention_heads": 4, "num_key_value_heads": 2, "rope_theta": 500000.0,
              "rope_scaling": { "factor": 32.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                                "original_max_position_embeddings": 8192, "rope_type": "llama3" } }
            """;
        var config = HuggingFaceConfig.Parse(json, "x");
        Assert.Equal(Llama3, config.RopeScaling);
        Assert.Equal(config, HuggingFaceConfig.Parse(HuggingFaceConfig.Format(config, SafetensorsDType.BF16), "y"));
        var e = Assert.Throws<CheckpointFormatException>(() => HuggingFaceConfig.Parse(json.Replace("llama3", "yarn", StringComparison.Ordinal), "x"));
        Assert.Contains("yarn", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ScaledRope_RotatesLowFrequenciesMoreSlowly()
    {
        var plain = new RotaryEmbedding(headDim: 64, theta: 500000.0);
        var scaled = new RotaryEmbedding(headDim: 64, theta: 500000.0, Llama3);
        var a = new float[64];
        var b = new float[64];
        a[31] = b[31] = 1f; // lowest frequency pair (31, 63)
        plain.Forward(a, [100000], heads: 1);
        scaled.Forward(b, [100000], heads: 1);
        Assert.True(Math.Abs(b[63]) < Math.Abs(a[63]) / 4, $"scaled sin {b[63]} vs plain {a[63]}");
    }
}
