using System.Text.Json;
using System.Text.Json.Serialization;

namespace DeepResearcher.Tinker.Wire;

/// <summary>Reads and writes <see cref="StopSequences"/> in the three shapes the SDK's union allows.</summary>
public sealed class StopSequencesConverter : JsonConverter<StopSequences>
{
    public override StopSequences Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return new StopSequences { Strings = [reader.GetString()!], Single = true };
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException("stop must be a string, a list of strings, or a list of token ids");
        }

        var strings = new List<string>();
        var ids = new List<int>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.String:
                    strings.Add(reader.GetString()!);
                    break;
                case JsonTokenType.Number:
                    ids.Add(reader.GetInt32());
                    break;
                default:
                    throw new JsonException("stop's items must be strings or token ids");
            }
        }

        if (strings.Count > 0 && ids.Count > 0)
        {
            throw new JsonException("stop must be either all strings or all token ids, not mixed");
        }

        return new StopSequences { Strings = strings, TokenIds = ids };
    }

    public override void Write(Utf8JsonWriter writer, StopSequences value, JsonSerializerOptions options)
    {
        if (value.Single && value.Strings.Count == 1)
        {
            writer.WriteStringValue(value.Strings[0]);
            return;
        }

        writer.WriteStartArray();
        foreach (string s in value.Strings)
        {
            writer.WriteStringValue(s);
        }

        foreach (int id in value.TokenIds)
        {
            writer.WriteNumberValue(id);
        }

        writer.WriteEndArray();
    }
}
