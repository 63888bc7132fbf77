using System.Text.Json.Serialization;

namespace DeepResearcher.Serving.Wire;

/// <summary>The inside of OpenAI's error body; <c>param</c> and <c>code</c> are written as null when unknown, as OpenAI does.</summary>
public sealed record ErrorDetail(
    string Message,
    string Type,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Param,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Code);
