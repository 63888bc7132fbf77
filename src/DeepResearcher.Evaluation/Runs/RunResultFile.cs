using System.Text;
using System.Text.Json;
using DeepResearcher.Evaluation.Datasets;

namespace DeepResearcher.Evaluation.Runs;

/// <summary>Reads and rewrites <c>results.jsonl</c>.</summary>
public static class RunResultFile
{
    /// <summary>
    /// Reads every result. A malformed line is an error naming the file and line, except a last line with no newline
    /// after it: that is a write cut short by an interruption, and <paramref name="dropTornTail"/> removes it.
    /// </summary>
    public static async Task<IReadOnlyList<RunResult>> LoadAsync(string path, CancellationToken cancellationToken, bool dropTornTail = false)
    {
        if (!File.Exists(path))
        {
            throw new DataFileException(path, null, "file not found (is this a run directory? 'eval run' writes it)");
        }

        string text = await File.ReadAllTextAsync(path, Encoding.UTF8, cancellationToken);
        string[] lines = text.Split('\n');
        var results = new List<RunResult>();
        var seen = new Dictionary<(string, int), int>();
        long validLength = 0;
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].TrimEnd('\r');
            bool isLast = i == lines.Length - 1;
            if (string.IsNullOrWhiteSpace(line))
            {
                if (!isLast)
                {
                    validLength += Encoding.UTF8.GetByteCount(lines[i]) + 1;
                }

                continue;
            }

            RunResult result;
            try
            {
                result = Parse(line, path, i + 1);
            }
            catch (DataFileException) when (isLast && dropTornTail)
            {
                await TruncateAsync(path, validLength, cancellationToken);
                break;
            }

            if (!seen.TryAdd(result.Key, i + 1))
            {
                throw new DataFileException(path, i + 1, $"duplicate result for id '{result.Id}' sample {result.Sample} (first on line {seen[result.Key]})");
            }

            results.Add(result);
            validLength += Encoding.UTF8.GetByteCount(lines[i]) + (isLast ? 0 : 1);
            if (isLast && dropTornTail)
            {
                // A complete last record without its newline: add one so the next append starts a new line.
                await File.AppendAllTextAsync(path, "\n", cancellationToken);
            }
        }

        return results;
    }

    public static async Task RewriteAsync(string path, IEnumerable<RunResult> results, CancellationToken cancellationToken)
        => await AtomicFile.WriteAllLinesAsync(path, results.Select(r => r.ToJsonLine()), cancellationToken);

    private static RunResult Parse(string line, string path, int lineNumber)
    {
        try
        {
            RunResult? result = JsonSerializer.Deserialize<RunResult>(line, RunJson.Options);
            if (result is null || string.IsNullOrEmpty(result.Id))
            {
                throw new DataFileException(path, lineNumber, "missing \"id\"");
            }

            return result;
        }
        catch (JsonException ex)
        {
            throw new DataFileException(path, lineNumber, $"not a valid result line ({ex.Message.Split(" Path:", 2)[0].Split(" LineNumber", 2)[0]})");
        }
    }

    private static async Task TruncateAsync(string path, long length, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1, useAsync: true);
        stream.SetLength(length);
        await stream.FlushAsync(cancellationToken);
    }
}
