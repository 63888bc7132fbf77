using System.Text;

namespace DeepResearcher.Evaluation.Runs;

/// <summary>
/// Reads the lines appended to a growing .jsonl file since a byte offset: complete lines only (a line still being
/// written is left for the next read), with the offset to continue from. A file now shorter than the offset was
/// rewritten (a resumed run drops the steps after its checkpoint) and is read again from the start.
/// </summary>
public static class JsonlTail
{
    public static async Task<JsonlTailRead> ReadAsync(string path, long offset, long maxBytes, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (!File.Exists(path))
        {
            return new JsonlTailRead([], 0, offset > 0);
        }

        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16, useAsync: true);
        long length = stream.Length;
        bool restarted = length < offset;
        long start = restarted ? 0 : offset;
        bool skipPartial = false;
        if (length - start > maxBytes)
        {
            // Catching up on a long file: the newest lines are the ones a live view wants; the first, cut, line is dropped.
            start = length - maxBytes;
            skipPartial = true;
        }

        stream.Seek(start, SeekOrigin.Begin);
        byte[] buffer = new byte[length - start];
        await stream.ReadExactlyAsync(buffer, cancellationToken);
        int last = Array.LastIndexOf(buffer, (byte)'\n');
        if (last < 0)
        {
            return new JsonlTailRead([], start, restarted);
        }

        int first = skipPartial ? Array.IndexOf(buffer, (byte)'\n') + 1 : 0;
        string text = first > last ? string.Empty : Encoding.UTF8.GetString(buffer, first, last + 1 - first);
        string[] lines = [.. text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0)];
        return new JsonlTailRead(lines, start + last + 1, restarted);
    }
}
