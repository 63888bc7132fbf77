namespace DeepResearcher.Engine.Checkpoints;

/// <summary>Names and sizes of <see cref="SafetensorsDType"/> as spelled in a safetensors header.</summary>
public static class SafetensorsDTypes
{
    public static int SizeOf(SafetensorsDType dtype) => dtype switch
    {
        SafetensorsDType.F32 => 4,
        SafetensorsDType.BF16 => 2,
        SafetensorsDType.F16 => 2,
        SafetensorsDType.I32 => 4,
        SafetensorsDType.I64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, null),
    };

    public static string ToHeaderName(SafetensorsDType dtype) => dtype switch
    {
        SafetensorsDType.F32 => "F32",
        SafetensorsDType.BF16 => "BF16",
        SafetensorsDType.F16 => "F16",
        SafetensorsDType.I32 => "I32",
        SafetensorsDType.I64 => "I64",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, null),
    };

    public static bool TryParse(string name, out SafetensorsDType dtype)
    {
        switch (name)
        {
            case "F32": dtype = SafetensorsDType.F32; return true;
            case "BF16": dtype = SafetensorsDType.BF16; return true;
            case "F16": dtype = SafetensorsDType.F16; return true;
            case "I32": dtype = SafetensorsDType.I32; return true;
            case "I64": dtype = SafetensorsDType.I64; return true;
            default: dtype = default; return false;
        }
    }

    /// <summary>The Hugging Face <c>torch_dtype</c> spelling, for config.json.</summary>
    public static string ToTorchName(SafetensorsDType dtype) => dtype switch
    {
        SafetensorsDType.F32 => "float32",
        SafetensorsDType.BF16 => "bfloat16",
        SafetensorsDType.F16 => "float16",
        SafetensorsDType.I32 => "int32",
        SafetensorsDType.I64 => "int64",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, null),
    };
}
