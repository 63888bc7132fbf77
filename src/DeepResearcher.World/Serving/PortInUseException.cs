namespace DeepResearcher.World.Serving;

/// <summary>The port asked for is taken by another process; a caller can name its own option to change it.</summary>
public sealed class PortInUseException(int port, Exception inner)
    : IOException($"Cannot serve the world on 127.0.0.1:{port}: the port is already in use. Choose another port, or 0 to pick a free one.", inner)
{
    public int Port { get; } = port;
}
