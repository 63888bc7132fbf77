namespace DeepResearcher.Engine.Model;

/// <summary>The sizes an attention work item needs: heads, the query-heads-per-KV-head group, widths and the score block.</summary>
internal readonly record struct AttentionShape(int Heads, int KeyValueHeads, int HeadDim, int BlockRows)
{
    public int Group => Heads / KeyValueHeads;

    public int QueryDim => Heads * HeadDim;

    public int KeyValueDim => KeyValueHeads * HeadDim;

    public float Scale => 1f / MathF.Sqrt(HeadDim);
}
