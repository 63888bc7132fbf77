namespace DeepResearcher.Engine.Model;

/// <summary>
/// Low-rank update of a linear layer: y += (alpha / rank) · (x Aᵀ) Bᵀ with A [rank, in] and B [out, rank],
/// named as PEFT does (<c>base_model.model.{module}.lora_A.weight</c>).
/// </summary>
public sealed class LoraAdapter
{
    public LoraAdapter(string modulePrefix, int inFeatures, int outFeatures, int rank, float alpha)
    {
        if (rank <= 0) throw new ArgumentOutOfRangeException(nameof(rank), rank, "LoRA rank must be positive");
        Rank = rank;
        Alpha = alpha;
        A = new Parameter($"base_model.model.{modulePrefix}.lora_A.weight", rank, inFeatures);
        B = new Parameter($"base_model.model.{modulePrefix}.lora_B.weight", outFeatures, rank);
    }

    public int Rank { get; }

    public float Alpha { get; }

    public float Scale => Alpha / Rank;

    public Parameter A { get; }

    public Parameter B { get; }

    /// <summary>PEFT's default start: A ~ U(−1/√in, 1/√in) (Kaiming-uniform with a = √5), B = 0, so the update starts at zero.</summary>
    public void InitializeDefault(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        float bound = 1f / MathF.Sqrt(A.Shape[1]);
        for (int i = 0; i < A.Length; i++) A.Data[i] = (float)(random.NextDouble() * 2 - 1) * bound;
        Array.Clear(B.Data);
        A.Owner?.BumpWeightVersion();
    }

    /// <summary>Scale · x Aᵀ of the last forward, [rows, rank]; kept for backward.</summary>
    internal float[] ScaledHidden { get; set; } = [];
}
