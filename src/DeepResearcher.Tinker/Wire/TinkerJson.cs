using System.Text.Json;
using System.Text.Json.Serialization;

namespace DeepResearcher.Tinker.Wire;

/// <summary>
/// The JSON settings of the wire: names are the records' explicit snake_case names, and a null is omitted, as the SDK
/// serialises requests (<c>model_dump(exclude_unset=False, exclude_none=True)</c>: defaults are sent, None is not).
/// Unknown fields are ignored on read, as the SDK's response models ignore them.
/// </summary>
public static class TinkerJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.General)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.Strict,
    };

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static byte[] SerializeToUtf8Bytes<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Options);

    public static T Deserialize<T>(string json)
        => JsonSerializer.Deserialize<T>(json, Options) ?? throw new JsonException($"expected a {typeof(T).Name}, got null");
}
