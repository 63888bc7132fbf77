namespace DeepResearcher.Engine.Checkpoints;

/// <summary>A checkpoint file is missing, malformed, truncated or does not match the model; names the file and tensor.</summary>
public sealed class CheckpointFormatException : Exception
{
    public CheckpointFormatException(string message) : base(message) { }

    public CheckpointFormatException(string message, Exception innerException) : base(message, innerException) { }

    public CheckpointFormatException(string filePath, string? tensorName, string problem, Exception? innerException = null)
        : base(Describe(filePath, tensorName, problem), innerException)
    {
        FilePath = filePath;
        TensorName = tensorName;
    }

    public CheckpointFormatException() { }

    public string? FilePath { get; }

    public string? TensorName { get; }

    private static string Describe(string filePath, string? tensorName, string problem)
        => tensorName is null ? $"{filePath}: {problem}" : $"{filePath}: tensor '{tensorName}': {problem}";
}
