using System.Text.Json;
using System.Text.Json.Nodes;

namespace DeepResearcher.Serving.Requests;

/// <summary>A <c>POST /v1/completions</c> body: one or more prompts, each as text or as token ids.</summary>
public sealed record CompletionRequest
{
    public required string Model { get; init; }

    public required IReadOnlyList<CompletionPrompt> Prompts { get; init; }

    public required SamplingFields Sampling { get; init; }

    /// <summary>Prepend the prompt's text to each choice's text.</summary>
    public bool Echo { get; init; }

    public bool Stream { get; init; }

    public bool IncludeUsage { get; init; }

    public static CompletionRequest Read(JsonObject body, ServingOptions limits)
    {
        ArgumentNullException.ThrowIfNull(body);
        string model = JsonFields.String(body, "model") ?? throw ServingException.BadRequest("'model' is required; GET /v1/models lists the served models", "model");
        IReadOnlyList<CompletionPrompt> prompts = ReadPrompts(body["prompt"]);
        SamplingFields sampling = SamplingFields.Read(body, limits, chat: false);
        bool echo = JsonFields.Bool(body, "echo") ?? false;
        if (echo && sampling.LogProbs)
        {
            throw ServingException.BadRequest("'echo' with 'logprobs' would need the prompt's log-probabilities, which this server does not compute; drop one of them", "echo", "unsupported_parameter");
        }
        if (prompts.Count * sampling.N > limits.MaxChoices)
        {
            throw ServingException.BadRequest($"{prompts.Count} prompts × n = {sampling.N} is {prompts.Count * sampling.N} choices, over this server's cap of {limits.MaxChoices}", "n");
        }
        JsonObject? streamOptions = JsonFields.Object(body, "stream_options");
        return new CompletionRequest
        {
            Model = model,
            Prompts = prompts,
            Sampling = sampling,
            Echo = echo,
            Stream = JsonFields.Bool(body, "stream") ?? false,
            IncludeUsage = streamOptions is not null && (JsonFields.Bool(streamOptions, "include_usage") ?? false),
        };
    }

    private static List<CompletionPrompt> ReadPrompts(JsonNode? node)
    {
        const string Shape = "a string, a list of strings, a list of token ids or a list of such lists";
        switch (node)
        {
            case null:
                throw ServingException.BadRequest($"'prompt' is required: {Shape}", "prompt");
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                return [new CompletionPrompt(value.GetValue<string>(), null)];
            case JsonArray { Count: 0 }:
                throw ServingException.BadRequest("'prompt' is an empty list", "prompt");
            case JsonArray array when array[0] is JsonValue first && first.GetValueKind() == JsonValueKind.Number:
                return [new CompletionPrompt(null, JsonFields.ReadIntegers(array, "prompt"))];
            case JsonArray array:
                var prompts = new List<CompletionPrompt>(array.Count);
                foreach (JsonNode? item in array)
                {
                    prompts.Add(item switch
                    {
                        JsonValue v when v.GetValueKind() == JsonValueKind.String => new CompletionPrompt(v.GetValue<string>(), null),
                        JsonArray ids => new CompletionPrompt(null, JsonFields.ReadIntegers(ids, "prompt")),
                        _ => throw JsonFields.WrongType("prompt", Shape, node),
                    });
                }

                return prompts;
            default:
                throw JsonFields.WrongType("prompt", Shape, node);
        }
    }
}
