using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DeepResearcher.Server.Tools;

/// <summary>
/// The last line of defence: an exception that escapes an endpoint becomes the error JSON with a status (the one a
/// <see cref="BadHttpRequestException"/> carries, else 500) and one log line with its cause, never an empty 500.
/// </summary>
internal static class RequestFailures
{
    private const int MaxMessageChars = 300;

    public static async Task GuardAsync(HttpContext context, RequestDelegate next, ILogger logger)
    {
        try
        {
            await next(context);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away: there is nobody to answer.
        }
        catch (Exception ex)
        {
            int status = ex is BadHttpRequestException bad ? bad.StatusCode : (int)HttpStatusCode.InternalServerError;
            string cause = $"{ex.GetType().Name}: {Clip(ex.Message, MaxMessageChars)}";
            logger.LogError("{Method} {Path} answered {Status}: {Cause}", context.Request.Method, Clip(context.Request.Path.Value ?? string.Empty, 200), status, cause);
            if (context.Response.HasStarted)
            {
                // Part of an answer is already on the wire; breaking the connection is the only honest end.
                context.Abort();
                return;
            }

            context.Response.Clear();
            context.Response.StatusCode = status;
            string message = status >= 500 ? $"the tool server failed on this request ({cause}); the failure is in its log" : cause;
            await context.Response.WriteAsJsonAsync(new { error = message }, context.RequestAborted);
        }
    }

    public static string Clip(string text, int max) => text.Length <= max ? text : string.Concat(text.AsSpan(0, max), $"… ({text.Length} characters)");
}
