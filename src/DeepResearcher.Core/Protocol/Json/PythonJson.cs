using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DeepResearcher.Core.Protocol.Json;

/// <summary>
/// Serialises JSON exactly as Python's <c>json.dumps(x, ensure_ascii=False)</c> does, which is what Hugging Face's
/// <c>tojson</c> template filter produces: <c>", "</c> and <c>": "</c> separators, non-ASCII kept as is, lowercase
/// <c>\u00XX</c> escapes for control characters. Chat templates print tool schemas and tool-call arguments this way,
/// so byte-exact prompts need it.
/// </summary>
public static class PythonJson
{
    public static string Serialize(JsonNode? node)
    {
        var sb = new StringBuilder();
        Write(sb, node);
        return sb.ToString();
    }

    public static void Write(StringBuilder sb, JsonNode? node)
    {
        switch (node)
        {
            case null:
                sb.Append("null");
                break;
            case JsonObject obj:
                sb.Append('{');
                bool first = true;
                foreach (var (key, value) in obj)
                {
                    if (!first)
                    {
                        sb.Append(", ");
                    }

                    first = false;
                    WriteString(sb, key);
                    sb.Append(": ");
                    Write(sb, value);
                }

                sb.Append('}');
                break;
            case JsonArray array:
                sb.Append('[');
                for (int i = 0; i < array.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(", ");
                    }

                    Write(sb, array[i]);
                }

                sb.Append(']');
                break;
            case JsonValue value:
                WriteValue(sb, value);
                break;
            default:
                throw new NotSupportedException($"Unsupported JSON node type {node.GetType().Name}.");
        }
    }

    public static void WriteString(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (char c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                default:
                    if (c < 0x20)
                    {
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        sb.Append('"');
    }

    private static void WriteValue(StringBuilder sb, JsonValue value)
    {
        switch (value.GetValueKind())
        {
            case JsonValueKind.String:
                WriteString(sb, value.GetValue<string>());
                break;
            case JsonValueKind.True:
                sb.Append("true");
                break;
            case JsonValueKind.False:
                sb.Append("false");
                break;
            case JsonValueKind.Null:
                sb.Append("null");
                break;
            case JsonValueKind.Number:
                if (value.TryGetValue(out long l))
                {
                    sb.Append(l.ToString(CultureInfo.InvariantCulture));
                }
                else if (value.TryGetValue(out int i))
                {
                    sb.Append(i.ToString(CultureInfo.InvariantCulture));
                }
                else if (value.TryGetValue(out JsonElement element) && element.TryGetInt64(out long el))
                {
                    sb.Append(el.ToString(CultureInfo.InvariantCulture));
                }
                else
                {
                    sb.Append(PythonFloat(value.GetValue<double>()));
                }

                break;
            default:
                throw new NotSupportedException($"Unsupported JSON value kind {value.GetValueKind()}.");
        }
    }

    /// <summary>Python's float repr: shortest round-trip digits, always a decimal point or an exponent.</summary>
    public static string PythonFloat(double d)
    {
        if (double.IsNaN(d))
        {
            return "NaN";
        }

        if (double.IsInfinity(d))
        {
            return d > 0 ? "Infinity" : "-Infinity";
        }

        string s = d.ToString("R", CultureInfo.InvariantCulture);
        int e = s.IndexOf('E', StringComparison.Ordinal);
        if (e < 0 && Math.Abs(d) >= 1e16)
        {
            // .NET prints large integral doubles as plain digits; Python uses an exponent from 1e16 on.
            string digits = s.TrimStart('-');
            string significant = digits.TrimEnd('0');
            string mantissaDigits = significant.Length > 1 ? significant[0] + "." + significant[1..] : significant;
            return $"{(d < 0 ? "-" : string.Empty)}{mantissaDigits}e+{digits.Length - 1:00}";
        }

        if (e < 0)
        {
            return s.Contains('.', StringComparison.Ordinal) ? s : s + ".0";
        }

        string mantissa = s[..e];
        int exponent = int.Parse(s[(e + 1)..], CultureInfo.InvariantCulture);
        if (exponent is >= 0 and < 16)
        {
            // .NET switches to exponent form at 1e15, Python only at 1e16.
            return d.ToString("F1", CultureInfo.InvariantCulture);
        }

        return $"{mantissa}e{(exponent < 0 ? '-' : '+')}{Math.Abs(exponent):00}";
    }
}
