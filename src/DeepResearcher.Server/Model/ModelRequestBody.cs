using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using DeepResearcher.Serving;
using Microsoft.AspNetCore.Http;

namespace DeepResearcher.Server.Model;

/// <summary>Reads a request body as one JSON object within the byte cap: too large is a 413, not JSON or not an object a 400.</summary>
internal static class ModelRequestBody
{
    public static async Task<JsonObject> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            throw TooLarge(request.ContentLength.Value, maxBytes);
        }
        using var buffer = new MemoryStream();
        byte[] chunk = new byte[16384];
        while (true)
        {
            int read;
            try
            {
                read = await request.Body.ReadAsync(chunk, cancellationToken);
            }
            catch (BadHttpRequestException e) when (e.StatusCode == (int)HttpStatusCode.RequestEntityTooLarge)
            {
                throw TooLarge(null, maxBytes);
            }

            if (read == 0)
            {
                break;
            }
            if (buffer.Length + read > maxBytes)
            {
                throw TooLarge(null, maxBytes);
            }
            buffer.Write(chunk, 0, read);
        }

        if (buffer.Length == 0)
        {
            throw ServingException.BadRequest("the request has no body; send a JSON object");
        }
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), documentOptions: new JsonDocumentOptions { MaxDepth = 64, AllowDuplicateProperties = false });
        }
        catch (JsonException e)
        {
            throw ServingException.BadRequest($"the body is not valid JSON ({e.Message.Split(". ")[0]}); send a JSON object", code: "invalid_json");
        }

        return node as JsonObject ?? throw ServingException.BadRequest($"the body must be a JSON object, not {(node is JsonArray ? "a list" : node?.GetValueKind().ToString().ToLowerInvariant() ?? "null")}", code: "invalid_json");
    }

    private static ServingException TooLarge(long? bytes, long maxBytes) =>
        new((int)HttpStatusCode.RequestEntityTooLarge,
            $"the request body{(bytes is { } b ? $" of {b} bytes" : string.Empty)} is over this server's cap of {maxBytes} bytes; send less (the cap is serve model's --max-body-bytes)",
            code: "request_too_large");
}
