namespace DeepResearcher.Engine.Model;

/// <summary>Scratch buffers reused across layers and steps; each grows to the largest size asked for and is never shrunk.</summary>
internal sealed class Workspace
{
    public float[] DKeyPartial = [];
    public float[] DValuePartial = [];
    public int[] AttentionItems = [];
    public int[] AttentionBlockOrder = [];
    public float[] DQuery = [];
    public float[] DKey = [];
    public float[] DValue = [];
    public float[] DContext = [];
    public float[] DGate = [];
    public float[] DUp = [];
    public float[] DHidden = [];
    public float[] DNormed = [];
    public float[] DResidual = [];
    public float[] Lora = [];
    public float[] Logits = [];
    public float[] ChunkInput = [];
    public float[] ChunkGrad = [];

    /// <summary>Rows of <see cref="Logits"/> that still hold the last training forward's logits (its only chunk), else 0.</summary>
    public int LogitsRowsFromForward;

    public static Span<float> Take(ref float[] buffer, int length)
    {
        if (buffer.Length < length) buffer = new float[length];
        return buffer.AsSpan(0, length);
    }
}
