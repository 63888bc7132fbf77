namespace DeepResearcher.Engine.Checkpoints;

/// <summary>A tensor to be written: float data stored as F32/BF16/F16, or integer data stored as I32/I64.</summary>
public sealed class SafetensorsTensor
{
    private SafetensorsTensor(string name, SafetensorsDType dtype, long[] shape, ReadOnlyMemory<float> floats, ReadOnlyMemory<long> integers)
    {
        Name = name;
        DType = dtype;
        Shape = shape;
        Floats = floats;
        Integers = integers;
        long elements = 1;
        foreach (long d in shape) elements *= d;
        long actual = IsInteger ? integers.Length : floats.Length;
        if (elements != actual)
            throw new ArgumentException($"tensor '{name}': shape [{string.Join(", ", shape)}] has {elements} elements but {actual} values were given");
    }

    public string Name { get; }

    public SafetensorsDType DType { get; }

    public long[] Shape { get; }

    public ReadOnlyMemory<float> Floats { get; }

    public ReadOnlyMemory<long> Integers { get; }

    public bool IsInteger => DType is SafetensorsDType.I32 or SafetensorsDType.I64;

    public long ByteLength => (IsInteger ? Integers.Length : Floats.Length) * (long)SafetensorsDTypes.SizeOf(DType);

    public static SafetensorsTensor FromFloats(string name, SafetensorsDType dtype, long[] shape, ReadOnlyMemory<float> data)
    {
        if (dtype is SafetensorsDType.I32 or SafetensorsDType.I64)
            throw new ArgumentException($"tensor '{name}': float data cannot be stored as {dtype}", nameof(dtype));
        return new SafetensorsTensor(name, dtype, shape, data, default);
    }

    public static SafetensorsTensor FromIntegers(string name, SafetensorsDType dtype, long[] shape, ReadOnlyMemory<long> data)
    {
        if (dtype is not (SafetensorsDType.I32 or SafetensorsDType.I64))
            throw new ArgumentException($"tensor '{name}': integer data cannot be stored as {dtype}", nameof(dtype));
        return new SafetensorsTensor(name, dtype, shape, default, data);
    }
}
