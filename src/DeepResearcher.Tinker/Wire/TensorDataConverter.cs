using System.Text.Json;
using System.Text.Json.Serialization;

namespace DeepResearcher.Tinker.Wire;

/// <summary>Reads and writes <see cref="TensorData"/> with its data typed by its dtype (integers for int64, float32 precision otherwise).</summary>
public sealed class TensorDataConverter : JsonConverter<TensorData>
{
    public override TensorData Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("a tensor is an object with data and dtype");
        }

        List<double>? data = null;
        string? dtype = null;
        List<int>? shape = null, crow = null, col = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            string name = reader.GetString() ?? string.Empty;
            reader.Read();
            switch (name)
            {
                case "data":
                    data = ReadNumbers(ref reader, name);
                    break;
                case "dtype":
                    dtype = reader.TokenType == JsonTokenType.Null ? null : reader.GetString();
                    break;
                case "shape":
                    shape = ReadIntegers(ref reader, name);
                    break;
                case "sparse_crow_indices":
                    crow = ReadIntegers(ref reader, name);
                    break;
                case "sparse_col_indices":
                    col = ReadIntegers(ref reader, name);
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        if (data is null)
        {
            throw new JsonException("a tensor needs its data (a flat list of numbers)");
        }

        if (dtype is not (TensorData.Int64 or TensorData.Float32))
        {
            throw new JsonException($"a tensor's dtype must be int64 or float32, not {(dtype is null ? "missing" : $"'{dtype}'")}");
        }

        return new TensorData { Data = data, Dtype = dtype, Shape = shape, SparseCrowIndices = crow, SparseColIndices = col };
    }

    public override void Write(Utf8JsonWriter writer, TensorData value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteStartArray("data");
        bool integers = value.Dtype == TensorData.Int64;
        foreach (double v in value.Data)
        {
            if (integers)
            {
                writer.WriteNumberValue((long)v);
            }
            else
            {
                writer.WriteNumberValue((float)v);
            }
        }

        writer.WriteEndArray();
        writer.WriteString("dtype", value.Dtype);
        WriteIntegers(writer, "shape", value.Shape);
        WriteIntegers(writer, "sparse_crow_indices", value.SparseCrowIndices);
        WriteIntegers(writer, "sparse_col_indices", value.SparseColIndices);
        writer.WriteEndObject();
    }

    private static void WriteIntegers(Utf8JsonWriter writer, string name, IReadOnlyList<int>? values)
    {
        if (values is null)
        {
            return;
        }

        writer.WriteStartArray(name);
        foreach (int v in values)
        {
            writer.WriteNumberValue(v);
        }

        writer.WriteEndArray();
    }

    private static List<double> ReadNumbers(ref Utf8JsonReader reader, string name)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException($"a tensor's {name} must be a flat list of numbers");
        }

        var values = new List<double>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number)
            {
                throw new JsonException($"a tensor's {name} must be a flat list of numbers; found {reader.TokenType}");
            }

            values.Add(reader.GetDouble());
        }

        return values;
    }

    private static List<int>? ReadIntegers(ref Utf8JsonReader reader, string name)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        List<double> values = ReadNumbers(ref reader, name);
        return [.. values.Select(v => checked((int)v))];
    }
}
