using System.Text.Json;
using System.Text.Json.Nodes;

namespace DeepResearcher.Serving.Requests;

/// <summary>Typed reads of request fields; a field of the wrong type is a 400 that names it (OpenAI's <c>param</c>).</summary>
internal static class JsonFields
{
    public static bool IsAbsent(JsonObject body, string name) => body[name] is null;

    public static string? String(JsonObject body, string name)
    {
        JsonNode? node = body[name];
        if (node is null)
        {
            return null;
        }
        if (node is JsonValue value && value.GetValueKind() == JsonValueKind.String)
        {
            return value.GetValue<string>();
        }
        throw WrongType(name, "a string", node);
    }

    public static bool? Bool(JsonObject body, string name)
    {
        JsonNode? node = body[name];
        if (node is null)
        {
            return null;
        }
        return node.GetValueKind() switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw WrongType(name, "true or false", node),
        };
    }

    public static double? Number(JsonObject body, string name)
    {
        JsonNode? node = body[name];
        if (node is null)
        {
            return null;
        }
        if (node is JsonValue value && value.GetValueKind() == JsonValueKind.Number)
        {
            return AsDouble(value);
        }
        throw WrongType(name, "a number", node);
    }

    /// <summary>A number node's value whether it was parsed from text or built from an int, long or double.</summary>
    public static double AsDouble(JsonValue value) =>
        value.TryGetValue(out double d) ? d : double.Parse(value.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture);

    public static int? Integer(JsonObject body, string name)
    {
        double? number = Number(body, name);
        if (number is null)
        {
            return null;
        }
        if (number != Math.Floor(number.Value) || number < int.MinValue || number > int.MaxValue)
        {
            throw ServingException.BadRequest($"'{name}' must be an integer, got {number}", name);
        }
        return (int)number.Value;
    }

    /// <summary>A string or a list of strings (OpenAI's <c>stop</c>); null when absent.</summary>
    public static IReadOnlyList<string>? StringOrStrings(JsonObject body, string name)
    {
        JsonNode? node = body[name];
        if (node is null)
        {
            return null;
        }
        if (node is JsonValue value && value.GetValueKind() == JsonValueKind.String)
        {
            return [value.GetValue<string>()];
        }
        if (node is JsonArray array)
        {
            var list = new List<string>(array.Count);
            foreach (JsonNode? item in array)
            {
                if (item is not JsonValue v || v.GetValueKind() != JsonValueKind.String)
                {
                    throw WrongType(name, "a string or a list of strings", node);
                }
                list.Add(v.GetValue<string>());
            }

            return list;
        }

        throw WrongType(name, "a string or a list of strings", node);
    }

    public static IReadOnlyList<int>? Integers(JsonObject body, string name)
    {
        JsonNode? node = body[name];
        if (node is null)
        {
            return null;
        }
        if (node is not JsonArray array)
        {
            throw WrongType(name, "a list of integers", node);
        }
        return ReadIntegers(array, name);
    }

    public static int[] ReadIntegers(JsonArray array, string name)
    {
        var ids = new int[array.Count];
        for (int i = 0; i < array.Count; i++)
        {
            double value = array[i] is JsonValue v && v.GetValueKind() == JsonValueKind.Number ? AsDouble(v) : double.NaN;
            if (!(value == Math.Floor(value) && value >= int.MinValue && value <= int.MaxValue))
            {
                throw ServingException.BadRequest($"'{name}' must be a list of integers; item {i} is not one", name);
            }
            ids[i] = (int)value;
        }

        return ids;
    }

    public static JsonObject? Object(JsonObject body, string name)
    {
        JsonNode? node = body[name];
        if (node is null)
        {
            return null;
        }
        return node as JsonObject ?? throw WrongType(name, "an object", node);
    }

    public static ServingException WrongType(string name, string expected, JsonNode? node) =>
        ServingException.BadRequest($"'{name}' must be {expected}, not {Kind(node)}", name);

    public static string Kind(JsonNode? node) => node switch
    {
        null => "null",
        JsonArray => "a list",
        JsonObject => "an object",
        _ => node.GetValueKind() switch
        {
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            JsonValueKind.True or JsonValueKind.False => "a boolean",
            _ => node.GetValueKind().ToString().ToLowerInvariant(),
        },
    };
}
