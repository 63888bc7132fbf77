using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace DeepResearcher.Server.Tools;

/// <summary>
/// A request body read within the server's caps: JSON content type, UTF-8, at most so many bytes, bounded nesting and no
/// duplicate keys. Anything else becomes a refusal that names the problem, never an exception.
/// </summary>
internal sealed record ToolRequestBody(JsonNode? Json, IResult? Refusal)
{
    /// <summary>A call nests four levels deep; a batch six. Deeper bodies are not calls.</summary>
    public const int MaxDepth = 32;

    private static readonly JsonDocumentOptions ParseOptions = new() { MaxDepth = MaxDepth, AllowDuplicateProperties = false };

    public static async Task<ToolRequestBody> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        if (!request.HasJsonContentType())
        {
            string got = string.IsNullOrEmpty(request.ContentType) ? "no Content-Type" : $"Content-Type '{request.ContentType}'";
            return Refuse(HttpStatusCode.UnsupportedMediaType, $"send the body as JSON with the header 'Content-Type: application/json' (got {got})");
        }

        string? charset = request.GetTypedHeaders().ContentType?.Charset.Value;
        if (charset is not null && !charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) && !charset.Equals("utf8", StringComparison.OrdinalIgnoreCase))
        {
            return Refuse(HttpStatusCode.UnsupportedMediaType, $"the body must be UTF-8 (got charset '{charset}'); send 'Content-Type: application/json' or 'application/json; charset=utf-8'");
        }

        if (request.ContentLength > maxBytes)
        {
            return TooLarge(request.ContentLength.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), maxBytes);
        }

        using var buffer = new MemoryStream();
        byte[] chunk = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > maxBytes)
                {
                    return TooLarge("more than " + maxBytes.ToString(System.Globalization.CultureInfo.InvariantCulture), maxBytes);
                }

                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge("more than " + maxBytes.ToString(System.Globalization.CultureInfo.InvariantCulture), maxBytes);
        }

        ReadOnlySpan<byte> json = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        if (json.StartsWith("\uFEFF"u8))
        {
            json = json[3..];
        }

        if (json.IsEmpty)
        {
            return Refuse(HttpStatusCode.BadRequest, "the body is empty; send a JSON object");
        }

        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json, documentOptions: ParseOptions);
            DecodeAll(node);
        }
        catch (JsonException ex)
        {
            // The parser's message names the problem: the duplicate key, the depth, the position of a bad byte.
            return Refuse(HttpStatusCode.BadRequest, $"the body is not valid JSON (UTF-8, no duplicate keys, at most {MaxDepth} levels deep): {ex.Message}");
        }
        catch (InvalidOperationException)
        {
            // Text that passes the grammar but cannot be decoded; the duplicate-key check decodes keys during the parse.
            return Refuse(HttpStatusCode.BadRequest, "the body is not valid text: a key or string holds bytes that are not UTF-8 or an unpaired surrogate escape such as \\ud800; send well-formed UTF-8");
        }

        return new ToolRequestBody(node, null);
    }

    /// <summary>
    /// Decodes every key and string now: the parser checks only the JSON grammar and decodes text lazily, so a bad byte
    /// or a lone surrogate escape would otherwise throw wherever the endpoint first reads it. Depth is bounded by the parse.
    /// </summary>
    private static void DecodeAll(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject json:
                foreach ((string _, JsonNode? value) in json)
                {
                    DecodeAll(value);
                }

                break;
            case JsonArray array:
                foreach (JsonNode? item in array)
                {
                    DecodeAll(item);
                }

                break;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                value.GetValue<string>();
                break;
        }
    }

    private static ToolRequestBody TooLarge(string got, long maxBytes)
        => Refuse(HttpStatusCode.RequestEntityTooLarge, $"the body has {got} bytes; at most {maxBytes} (--max-body-bytes)");

    private static ToolRequestBody Refuse(HttpStatusCode status, string message)
        => new(null, Results.Json(new { error = message }, statusCode: (int)status));
}
