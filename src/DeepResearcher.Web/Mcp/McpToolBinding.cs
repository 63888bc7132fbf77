using System.Text.Json;

namespace DeepResearcher.Web.Mcp;

/// <summary>
/// How one agent tool maps onto an MCP server's tool: which of its arguments takes the queries (or URLs), and whether
/// that argument is a list (one call for all of them, as our own server takes) or a single string (one call each, as
/// most MCP search tools take).
/// </summary>
public sealed record McpToolBinding(string RemoteName, string Argument, bool TakesList)
{
    /// <summary>Argument names other servers use for the queries or the URLs, in the order they are tried.</summary>
    private static readonly Dictionary<string, string[]> Aliases = new(StringComparer.Ordinal)
    {
        ["query"] = ["query", "queries", "q", "search_query", "search_term"],
        ["url_list"] = ["url_list", "urls", "url", "link", "links"],
    };

    /// <summary>
    /// Reads the binding from the tool's input schema: the argument named as the agent names it (or a known alias),
    /// else the one required argument, else the only argument; null with the reason when none of them fits.
    /// </summary>
    public static McpToolBinding? FromSchema(string remoteName, JsonElement inputSchema, string agentArgument, out string? problem)
    {
        var properties = new List<(string Name, JsonElement Schema)>();
        if (inputSchema.ValueKind == JsonValueKind.Object && inputSchema.TryGetProperty("properties", out JsonElement props) && props.ValueKind == JsonValueKind.Object)
        {
            properties.AddRange(props.EnumerateObject().Select(p => (p.Name, p.Value)));
        }

        var required = new List<string>();
        if (inputSchema.ValueKind == JsonValueKind.Object && inputSchema.TryGetProperty("required", out JsonElement req) && req.ValueKind == JsonValueKind.Array)
        {
            required.AddRange(req.EnumerateArray().Where(r => r.ValueKind == JsonValueKind.String).Select(r => r.GetString()!));
        }

        string[] aliases = Aliases.TryGetValue(agentArgument, out string[]? known) ? known : [agentArgument];
        (string Name, JsonElement Schema)? chosen = null;
        foreach (string alias in aliases)
        {
            if (properties.FirstOrDefault(p => p.Name == alias) is { Name: not null } match)
            {
                chosen = match;
                break;
            }
        }

        if (chosen is null && required.Count == 1 && properties.FirstOrDefault(p => p.Name == required[0]) is { Name: not null } onlyRequired)
        {
            chosen = onlyRequired;
        }

        if (chosen is null && properties.Count == 1)
        {
            chosen = properties[0];
        }

        if (chosen is not { } argument)
        {
            string takes = properties.Count == 0 ? "no arguments" : "the arguments " + string.Join(", ", properties.Select(p => p.Name));
            problem = $"the MCP tool '{remoteName}' takes {takes}; none of them is where the {agentArgument} go (expected '{string.Join("', '", aliases)}', or exactly one required argument)";
            return null;
        }

        if (required.Any(r => r != argument.Name))
        {
            problem = $"the MCP tool '{remoteName}' also requires {string.Join(", ", required.Where(r => r != argument.Name))}, which the agent's calls do not have";
            return null;
        }

        problem = null;
        return new McpToolBinding(remoteName, argument.Name, IsArray(argument.Schema));
    }

    private static bool IsArray(JsonElement schema)
    {
        if (schema.ValueKind != JsonValueKind.Object || !schema.TryGetProperty("type", out JsonElement type))
        {
            return false;
        }

        return type.ValueKind switch
        {
            JsonValueKind.String => type.GetString() == "array",
            // ["array", "string"]: a list is what the agent has, so send one.
            JsonValueKind.Array => type.EnumerateArray().Any(t => t.ValueKind == JsonValueKind.String && t.GetString() == "array"),
            _ => false,
        };
    }
}
