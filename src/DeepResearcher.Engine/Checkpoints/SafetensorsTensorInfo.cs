namespace DeepResearcher.Engine.Checkpoints;

/// <summary>One header entry: where a tensor's bytes sit relative to the start of the data section.</summary>
public sealed record SafetensorsTensorInfo(string Name, SafetensorsDType DType, long[] Shape, long DataStart, long DataEnd)
{
    public long ElementCount
    {
        get
        {
            long n = 1;
            foreach (long d in Shape) n *= d;
            return n;
        }
    }

    public long ByteLength => DataEnd - DataStart;

    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}
