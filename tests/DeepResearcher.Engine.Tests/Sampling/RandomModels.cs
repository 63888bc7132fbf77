using DeepResearcher.Engine.Model;

namespace DeepResearcher.Engine.Tests.Sampling;

/// <summary>Tiny transformers with seeded random weights, for comparing inference paths with the full forward.</summary>
internal static class RandomModels
{
    public static TransformerConfig TinyQwen => new()
    {
        VocabSize = 97, HiddenSize = 32, IntermediateSize = 48, NumLayers = 2, NumHeads = 4, NumKeyValueHeads = 2,
        QkvBias = true, TieWordEmbeddings = true, RopeTheta = 10000,
    };

    public static TransformerConfig TinyLlama => new()
    {
        ModelType = "llama", VocabSize = 61, HiddenSize = 48, IntermediateSize = 40, NumLayers = 3, NumHeads = 6,
        NumKeyValueHeads = 3, OutputBias = true, ExplicitHeadDim = 10, RopeTheta = 500,
    };

    public static TransformerModel Create(TransformerConfig config, int seed)
    {
        var model = TransformerModel.Create(config);
        var random = new Random(seed);
        foreach (var p in model.Parameters)
        {
            bool norm = p.Shape.Length == 1 && p.Name.Contains("norm", StringComparison.Ordinal);
            for (int i = 0; i < p.Length; i++)
                p.Data[i] = norm ? 1f + 0.1f * (float)(random.NextDouble() * 2 - 1) : 0.15f * (float)(random.NextDouble() * 2 - 1);
        }
        return model;
    }

    public static int[] Tokens(int count, int vocab, int seed)
    {
        var random = new Random(seed);
        var tokens = new int[count];
        for (int i = 0; i < count; i++) tokens[i] = random.Next(vocab);
        return tokens;
    }

    /// <summary>Logits after the last token of <paramref name="sequence"/> by the full training-path forward.</summary>
    public static float[] FullForwardLastLogits(TransformerModel model, int[] sequence)
    {
        var logits = new float[model.Config.VocabSize];
        model.ForwardLogits(TokenBatch.Single(sequence), [sequence.Length - 1], logits);
        return logits;
    }

    /// <summary>Rounds every weight to bfloat16 (nearest even) so a bfloat16 copy of it is exact.</summary>
    public static void RoundToBFloat16(TransformerModel model)
    {
        foreach (var p in model.Parameters)
        {
            for (int i = 0; i < p.Length; i++)
            {
                uint b = BitConverter.SingleToUInt32Bits(p.Data[i]);
                p.Data[i] = BitConverter.UInt32BitsToSingle(((b + 0x7FFF + ((b >> 16) & 1)) >> 16) << 16);
            }
        }
    }
}
