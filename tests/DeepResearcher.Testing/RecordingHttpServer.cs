using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace DeepResearcher.Testing;

/// <summary>
/// A minimal HTTP/1.1 server on a loopback port that records every request line and answers from a script, never
/// forwarding anything. Configured as a client's proxy it is a fake proxy: it then receives absolute-form request
/// lines (<c>GET http://host/path HTTP/1.1</c>), which is what the proxy tests assert on. A raw socket rather than
/// Kestrel, so the request target is recorded exactly as sent.
/// </summary>
public sealed class RecordingHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Func<string, HttpReply> _answer;
    private readonly ConcurrentQueue<string> _requestLines = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    /// <param name="answer">The reply to a request target (the second word of the request line).</param>
    /// <param name="port">The loopback port; 0 = any free one.</param>
    public RecordingHttpServer(Func<string, HttpReply> answer, int port = 0)
    {
        _answer = answer;
        _listener = new TcpListener(IPAddress.Loopback, port);
        _listener.Start();
        Url = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");
        _accepting = AcceptAsync(_stop.Token);
    }

    public Uri Url { get; }

    /// <summary>Request lines received, in order, e.g. <c>GET http://news.example/story HTTP/1.1</c>.</summary>
    public IReadOnlyList<string> RequestLines => [.. _requestLines];

    private async Task AcceptAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = ServeAsync(client, cancellationToken);
        }
    }

    private async Task ServeAsync(TcpClient client, CancellationToken cancellationToken)
    {
        using (client)
        {
            try
            {
                NetworkStream stream = client.GetStream();
                string head = await ReadHeadAsync(stream, cancellationToken);
                string requestLine = head.Split("\r\n", 2)[0];
                _requestLines.Enqueue(requestLine);
                string[] words = requestLine.Split(' ');
                HttpReply reply = _answer(words.Length > 1 ? words[1] : string.Empty);
                byte[] body = Encoding.UTF8.GetBytes(reply.Body);
                string headers = $"HTTP/1.1 {reply.Status} Scripted\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {body.Length}\r\nConnection: close\r\n"
                    + (reply.Location is null ? string.Empty : $"Location: {reply.Location}\r\n") + "\r\n";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(headers), cancellationToken);
                await stream.WriteAsync(body, cancellationToken);
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException)
            {
                // The client went away; nothing to answer.
            }
        }
    }

    private static async Task<string> ReadHeadAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var head = new StringBuilder();
        byte[] buffer = new byte[4096];
        while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            int read = await stream.ReadAsync(buffer, cancellationToken);
            if (read == 0)
            {
                break;
            }

            head.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        return head.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
