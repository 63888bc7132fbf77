using DeepResearcher.Core.Agent;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace DeepResearcher.Server.Tools;

/// <summary>
/// The research tools over MCP on a pair of streams, without HTTP: stdin/stdout for a local client that starts
/// <c>deepresearcher tools serve --mcp-stdio</c> itself (an IDE, an agent framework), or any streams a test hands it.
/// The same caps, per-trajectory gate and deadline apply as on the HTTP server; stdout carries only MCP messages, so
/// logs go to the given provider (stderr).
/// </summary>
public static class McpStreamToolServer
{
    /// <summary>Serves on stdin/stdout until the client closes stdin or <paramref name="cancellationToken"/> fires.</summary>
    public static async Task RunStdioAsync(IToolbox toolbox, ToolServerOptions options, ILoggerProvider? logger, CancellationToken cancellationToken)
    {
        using ILoggerFactory logs = LoggerFactoryOf(logger);
        McpServerOptions server = ServerOptions(toolbox, options, logs);
        await using var transport = new StdioServerTransport(server, logs);
        await RunAsync(transport, server, logs, cancellationToken);
    }

    /// <summary>Serves on <paramref name="input"/> and <paramref name="output"/> until the input ends or <paramref name="cancellationToken"/> fires.</summary>
    public static async Task RunAsync(IToolbox toolbox, ToolServerOptions options, Stream input, Stream output, ILoggerProvider? logger, CancellationToken cancellationToken)
    {
        using ILoggerFactory logs = LoggerFactoryOf(logger);
        McpServerOptions server = ServerOptions(toolbox, options, logs);
        await using var transport = new StreamServerTransport(input, output, McpToolService.Info.Name, logs);
        await RunAsync(transport, server, logs, cancellationToken);
    }

    private static async Task RunAsync(ITransport transport, McpServerOptions options, ILoggerFactory logs, CancellationToken cancellationToken)
    {
        await using McpServer server = McpServer.Create(transport, options, logs);
        try
        {
            await server.RunAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C: a normal end.
        }
    }

    private static McpServerOptions ServerOptions(IToolbox toolbox, ToolServerOptions options, ILoggerFactory logs)
    {
        // No /metrics without HTTP: the counters are kept (the runner records into them) but not served.
        var service = new McpToolService(new ToolCallRunner(toolbox, new ToolServerMetrics(), options, logs.CreateLogger("DeepResearcher.Tools")));
        return new McpServerOptions
        {
            ServerInfo = McpToolService.Info,
            ServerInstructions = McpToolService.Instructions,
            Capabilities = McpToolService.Capabilities,
            Handlers = new McpServerHandlers
            {
                ListToolsHandler = service.ListToolsAsync,
                CallToolHandler = service.CallToolAsync,
            },
        };
    }

    private static ILoggerFactory LoggerFactoryOf(ILoggerProvider? logger) => LoggerFactory.Create(logging =>
    {
        logging.ClearProviders();
        if (logger is not null)
        {
            logging.AddProvider(logger);
        }
    });
}
