namespace DeepResearcher.Engine.Checkpoints;

/// <summary>Element types this engine reads from and writes to safetensors files.</summary>
public enum SafetensorsDType
{
    F32,
    BF16,
    F16,
    I32,
    I64,
}
