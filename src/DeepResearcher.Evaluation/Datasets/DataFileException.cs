namespace DeepResearcher.Evaluation.Datasets;

/// <summary>Bad input in a data file: the message names the file and, where it applies, the line.</summary>
public sealed class DataFileException(string path, int? line, string problem)
    : Exception(line is null ? $"{path}: {problem}" : $"{path}:{line}: {problem}")
{
    public string Path { get; } = path;

    public int? Line { get; } = line;
}
