namespace DeepResearcher.Engine.Model;

/// <summary>Shape and hyper-parameters of a decoder-only transformer of the Qwen2 / Llama family.</summary>
public sealed record TransformerConfig
{
    public string ModelType { get; init; } = "qwen2";

    public required int VocabSize { get; init; }

    public required int HiddenSize { get; init; }

    public required int IntermediateSize { get; init; }

    public required int NumLayers { get; init; }

    public required int NumHeads { get; init; }

    /// <summary>Grouped-query attention: each key/value head serves NumHeads / NumKeyValueHeads query heads.</summary>
    public required int NumKeyValueHeads { get; init; }

    /// <summary>Explicit head size (Llama's <c>head_dim</c>); 0 means HiddenSize / NumHeads.</summary>
    public int ExplicitHeadDim { get; init; }

    public double RopeTheta { get; init; } = 10000.0;

    public double RmsNormEps { get; init; } = 1e-6;

    /// <summary>Null for plain RoPE.</summary>
    public RopeScaling? RopeScaling { get; init; }

    public bool TieWordEmbeddings { get; init; }

    public int MaxPositionEmbeddings { get; init; } = 4096;

    /// <summary>Bias on the q, k and v projections (always on for Qwen2).</summary>
    public bool QkvBias { get; init; }

    /// <summary>Bias on the output projection (Llama with <c>attention_bias</c>).</summary>
    public bool OutputBias { get; init; }

    public int HeadDim => ExplicitHeadDim > 0 ? ExplicitHeadDim : HiddenSize / NumHeads;

    public int QueryDim => NumHeads * HeadDim;

    public int KeyValueDim => NumKeyValueHeads * HeadDim;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first inconsistent field.</summary>
    public void Validate()
    {
        static void Positive(int value, string name)
        {
            if (value <= 0) throw new ArgumentException($"{name} must be positive, got {value}");
        }
        Positive(VocabSize, "vocab_size");
        Positive(HiddenSize, "hidden_size");
        Positive(IntermediateSize, "intermediate_size");
        Positive(NumLayers, "num_hidden_layers");
        Positive(NumHeads, "num_attention_heads");
        Positive(NumKeyValueHeads, "num_key_value_heads");
        Positive(MaxPositionEmbeddings, "max_position_embeddings");
        if (ExplicitHeadDim == 0 && HiddenSize % NumHeads != 0)
            throw new ArgumentException($"hidden_size {HiddenSize} is not divisible by num_attention_heads {NumHeads}");
        if (NumHeads % NumKeyValueHeads != 0)
            throw new ArgumentException($"num_attention_heads {NumHeads} is not a multiple of num_key_value_heads {NumKeyValueHeads}");
        if (HeadDim % 2 != 0)
            throw new ArgumentException($"head size {HeadDim} must be even for rotary embeddings");
        if (RopeTheta <= 0) throw new ArgumentException($"rope_theta must be positive, got {RopeTheta}");
        if (RmsNormEps <= 0) throw new ArgumentException($"rms_norm_eps must be positive, got {RmsNormEps}");
    }
}
