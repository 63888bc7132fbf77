using System.Text.Json.Nodes;

namespace DeepResearcher.Core.Protocol;

/// <summary>A tool in OpenAI function format: <c>{"type": "function", "function": {name, description, parameters}}</c>.</summary>
public sealed record ToolSchema(string Name, string Description, JsonObject Parameters)
{
    /// <summary>The OpenAI function-format object, keys in the order chat templates print them.</summary>
    public JsonObject ToOpenAIFunction() => new()
    {
        ["type"] = "function",
        ["function"] = new JsonObject
        {
            ["name"] = Name,
            ["description"] = Description,
            ["parameters"] = Parameters.DeepClone(),
        },
    };
}
