using System.Text;

namespace DeepResearcher.Evaluation.Runs;

/// <summary>
/// Appends whole lines to a JSONL file, one write and one flush per line, serialised across threads, so an
/// interrupted run loses at most the line being written and concurrent writers never interleave inside a record.
/// </summary>
public sealed class JsonlAppender : IAsyncDisposable
{
    private readonly FileStream _stream;
    private readonly SemaphoreSlim _gate = new(1, 1);

    public JsonlAppender(string path)
    {
        Path = path;
        _stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, bufferSize: 1, useAsync: true);
    }

    public string Path { get; }

    public async Task AppendAsync(string line, CancellationToken cancellationToken)
    {
        if (line.Contains('\n', StringComparison.Ordinal))
        {
            throw new ArgumentException("a JSONL record must not contain a newline", nameof(line));
        }

        byte[] bytes = Encoding.UTF8.GetBytes(line + "\n");
        // Not cancellable once started: a half-written line is the one thing the format must not contain.
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await _stream.WriteAsync(bytes, CancellationToken.None);
            await _stream.FlushAsync(CancellationToken.None);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _gate.Dispose();
    }
}
