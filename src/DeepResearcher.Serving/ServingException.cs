using System.Net;

namespace DeepResearcher.Serving;

/// <summary>
/// A request the server refuses, carrying everything OpenAI's error JSON needs (<c>{"error": {"message", "type",
/// "param", "code"}}</c>) and the HTTP status, so that clients written against OpenAI or vLLM report it as they would
/// theirs. The message names the problem and the fix.
/// </summary>
public sealed class ServingException : Exception
{
    public ServingException(int status, string message, string? param = null, string? code = null, string? type = null)
        : base(message)
    {
        Status = status;
        Param = param;
        Code = code;
        Type = type ?? (status switch
        {
            (int)HttpStatusCode.Unauthorized => "authentication_error",
            (int)HttpStatusCode.TooManyRequests => "rate_limit_error",
            >= 500 => "server_error",
            _ => "invalid_request_error",
        });
    }

    public ServingException()
        : this((int)HttpStatusCode.InternalServerError, "the server failed")
    {
    }

    public ServingException(string message)
        : this((int)HttpStatusCode.BadRequest, message)
    {
    }

    public ServingException(string message, Exception innerException)
        : base(message, innerException)
    {
        Status = (int)HttpStatusCode.BadRequest;
        Type = "invalid_request_error";
    }

    public int Status { get; }

    public string Type { get; }

    public string? Param { get; }

    public string? Code { get; }

    /// <summary>Seconds a client should wait before retrying a 429; null for other errors.</summary>
    public int? RetryAfterSeconds { get; init; }

    public static ServingException BadRequest(string message, string? param = null, string? code = null) => new((int)HttpStatusCode.BadRequest, message, param, code);

    public static ServingException ModelNotFound(string model, IEnumerable<string> known) =>
        new((int)HttpStatusCode.NotFound, $"The model '{model}' does not exist; this server serves {string.Join(", ", known.Select(k => $"'{k}'"))} (GET /v1/models lists them)", "model", "model_not_found");

    public Wire.ErrorEnvelope ToEnvelope() => new(new Wire.ErrorDetail(Message, Type, Param, Code));
}
