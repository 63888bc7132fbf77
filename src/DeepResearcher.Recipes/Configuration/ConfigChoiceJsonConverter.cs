using System.Text.Json;
using System.Text.Json.Serialization;
using DeepResearcher.Core.Rewards;

namespace DeepResearcher.Recipes.Configuration;

/// <summary>The config's enums as their YAML names in JSON too (the run manifest's <c>config</c>), so both files read alike.</summary>
internal sealed class ConfigChoiceJsonConverter : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) => typeToConvert == typeof(MetricRules) || ConfigChoices.For(typeToConvert) is not null;

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options)
        => typeToConvert == typeof(MetricRules) ? new MetricRulesConverter() : (JsonConverter)Activator.CreateInstance(typeof(ChoiceConverter<>).MakeGenericType(typeToConvert))!;

    private sealed class ChoiceConverter<T> : JsonConverter<T>
        where T : struct, Enum
    {
        private readonly IConfigChoice _choice = ConfigChoices.For(typeof(T))!;

        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
            => _choice.TryParse(reader.GetString(), out object value) ? (T)value : throw new JsonException($"'{reader.GetString()}' is not one of {string.Join(", ", _choice.Names)}");

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WriteStringValue(_choice.Name(value));
    }

    private sealed class MetricRulesConverter : JsonConverter<MetricRules>
    {
        public override MetricRules Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
            => MetricRuleNames.Parse(JsonSerializer.Deserialize<List<string>>(ref reader, options) ?? []);

        public override void Write(Utf8JsonWriter writer, MetricRules value, JsonSerializerOptions options)
        {
            writer.WriteStartArray();
            foreach (string name in MetricRuleNames.Format(value))
            {
                writer.WriteStringValue(name);
            }

            writer.WriteEndArray();
        }
    }
}
