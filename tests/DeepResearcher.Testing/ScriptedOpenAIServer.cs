using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DeepResearcher.Testing;

/// <summary>
/// A loopback HTTP server speaking the OpenAI chat-completions wire format, replaying scripted replies in order.
/// Like a real server it cuts the text at the first stop sequence of the request and does not return it, so the
/// client's handling of stop strings is tested for real.
/// </summary>
public sealed class ScriptedOpenAIServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ScriptedReply> _replies = new();
    private readonly ConcurrentQueue<JsonObject> _requests = new();
    private readonly ConcurrentQueue<Dictionary<string, string>> _headers = new();

    private ScriptedOpenAIServer(WebApplication app) => _app = app;

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Request bodies received, in order.</summary>
    public IReadOnlyList<JsonObject> Requests => [.. _requests];

    /// <summary>Request headers received, copied (Kestrel reuses its header objects after a request ends).</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>> RequestHeaders => [.. _headers];

    /// <summary>What to answer when the script has run out.</summary>
    public ScriptedReply? Fallback { get; set; }

    public static async Task<ScriptedOpenAIServer> StartAsync(CancellationToken cancellationToken = default)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        WebApplication app = builder.Build();
        var server = new ScriptedOpenAIServer(app);
        app.MapPost("/v1/chat/completions", server.HandleAsync);
        await app.StartAsync(cancellationToken);
        string address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        server.BaseUrl = new Uri(address.TrimEnd('/') + "/v1/");
        return server;
    }

    public ScriptedOpenAIServer Enqueue(params ScriptedReply[] replies)
    {
        foreach (ScriptedReply reply in replies)
        {
            _replies.Enqueue(reply);
        }

        return this;
    }

    public ScriptedOpenAIServer EnqueueText(params string[] contents)
    {
        foreach (string content in contents)
        {
            _replies.Enqueue(ScriptedReply.Text(content));
        }

        return this;
    }

    private async Task HandleAsync(HttpContext context)
    {
        JsonObject request = (JsonNode.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync(context.RequestAborted)) as JsonObject)!;
        _requests.Enqueue(request);
        _headers.Enqueue(context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase));
        if (!_replies.TryDequeue(out ScriptedReply? reply))
        {
            reply = Fallback ?? ScriptedReply.Error(500, "the test script has no more replies");
        }

        if (reply.Delay > TimeSpan.Zero)
        {
            await Task.Delay(reply.Delay, context.RequestAborted);
        }

        context.Response.StatusCode = reply.Status;
        foreach ((string name, string value) in reply.Headers)
        {
            context.Response.Headers[name] = value;
        }

        context.Response.ContentType = "application/json";
        if (reply.RawBody is not null)
        {
            await context.Response.WriteAsync(reply.RawBody, context.RequestAborted);
            return;
        }

        string content = reply.Compute is null ? reply.Content : reply.Compute(request);
        string finish = reply.FinishReason;
        if (request["stop"] is JsonArray stops)
        {
            int cut = -1;
            foreach (JsonNode? stop in stops)
            {
                int at = content.IndexOf(stop!.GetValue<string>(), StringComparison.Ordinal);
                if (at >= 0 && (cut < 0 || at < cut))
                {
                    cut = at;
                }
            }

            if (cut >= 0)
            {
                content = content[..cut];
                finish = "stop";
            }
        }

        int promptTokens = request["messages"]!.ToJsonString().Length / 4;
        int completionTokens = Math.Max(1, content.Length / 4);
        var response = new JsonObject
        {
            ["id"] = "chatcmpl-" + _requests.Count,
            ["object"] = "chat.completion",
            ["created"] = 1_700_000_000,
            ["model"] = request["model"]?.GetValue<string>() ?? "scripted",
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = content },
                ["finish_reason"] = finish,
            }),
            ["usage"] = new JsonObject
            {
                ["prompt_tokens"] = promptTokens,
                ["completion_tokens"] = completionTokens,
                ["total_tokens"] = promptTokens + completionTokens,
            },
        };
        await context.Response.WriteAsync(response.ToJsonString(), context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
