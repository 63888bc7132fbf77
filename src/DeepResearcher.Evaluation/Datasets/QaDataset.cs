namespace DeepResearcher.Evaluation.Datasets;

/// <summary>
/// Loads and writes question sets, JSONL or the original's parquet, told apart by the file's extension. Every command
/// that reads questions (<c>eval run</c>, <c>eval score</c>, <c>data filter</c>, <c>train</c>'s <c>data.*_files</c>)
/// comes through here, so all of them read both.
/// </summary>
public static class QaDataset
{
    /// <summary><c>.parquet</c> is the original's (verl's) layout; anything else is read as JSONL.</summary>
    public static DatasetFormat FormatOf(string path)
        => string.Equals(Path.GetExtension(path), ".parquet", StringComparison.OrdinalIgnoreCase) ? DatasetFormat.Parquet : DatasetFormat.Jsonl;

    public static Task<IReadOnlyList<QaExample>> LoadAsync(string path, CancellationToken cancellationToken)
        => FormatOf(path) == DatasetFormat.Parquet
            ? VerlParquetReader.ReadAsync(path, cancellationToken)
            : QaJsonl.ReadAsync(path, cancellationToken);

    /// <summary>
    /// Writes <paramref name="examples"/> atomically (a reader never sees half a file) in <paramref name="format"/>, or
    /// the one <paramref name="path"/>'s extension names. <paramref name="split"/> is parquet's <c>extra_info.split</c>.
    /// </summary>
    public static Task WriteAsync(string path, IReadOnlyList<QaExample> examples, CancellationToken cancellationToken, DatasetFormat? format = null, string split = VerlColumns.DefaultSplit)
        => (format ?? FormatOf(path)) == DatasetFormat.Parquet
            ? VerlParquetWriter.WriteAsync(path, examples, split, cancellationToken)
            : QaJsonl.WriteAsync(path, examples, cancellationToken);
}
