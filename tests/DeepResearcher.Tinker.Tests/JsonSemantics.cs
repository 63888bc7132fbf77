using System.Text.Json.Nodes;

namespace DeepResearcher.Tinker.Tests;

/// <summary>JSON compared as the SDK's parser sees it: member order ignored, numbers by value (1 and 1.0 are one number).</summary>
internal static class JsonSemantics
{
    public static void AssertEqual(string expected, string actual)
    {
        JsonNode? e = JsonNode.Parse(expected), a = JsonNode.Parse(actual);
        string? difference = Difference(e, a, "$");
        Assert.True(difference is null, $"{difference}\nexpected: {e?.ToJsonString()}\nactual:   {a?.ToJsonString()}");
    }

    private static string? Difference(JsonNode? expected, JsonNode? actual, string path)
    {
        switch (expected, actual)
        {
            case (null, null):
                return null;
            case (JsonObject eo, JsonObject ao):
                foreach (string key in eo.Select(p => p.Key).Union(ao.Select(p => p.Key)))
                {
                    if (!eo.ContainsKey(key))
                    {
                        return $"{path}.{key} is extra (the SDK omits it)";
                    }

                    if (!ao.ContainsKey(key))
                    {
                        return $"{path}.{key} is missing";
                    }

                    if (Difference(eo[key], ao[key], $"{path}.{key}") is { } d)
                    {
                        return d;
                    }
                }

                return null;
            case (JsonArray ea, JsonArray aa):
                if (ea.Count != aa.Count)
                {
                    return $"{path} has {aa.Count} items, not {ea.Count}";
                }

                for (int i = 0; i < ea.Count; i++)
                {
                    if (Difference(ea[i], aa[i], $"{path}[{i}]") is { } d)
                    {
                        return d;
                    }
                }

                return null;
            case (JsonValue ev, JsonValue av):
                if (ev.GetValueKind() is System.Text.Json.JsonValueKind.Number && av.GetValueKind() is System.Text.Json.JsonValueKind.Number)
                {
                    double x = ev.GetValue<double>(), y = av.GetValue<double>();
                    return x == y || Math.Abs(x - y) <= 1e-7 * Math.Max(1, Math.Abs(x)) ? null : $"{path} is {y}, not {x}";
                }

                return ev.ToJsonString() == av.ToJsonString() ? null : $"{path} is {av.ToJsonString()}, not {ev.ToJsonString()}";
            default:
                return $"{path} is {actual?.ToJsonString() ?? "absent"}, not {expected?.ToJsonString() ?? "absent"}";
        }
    }
}
