using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DeepResearcher.Core.Trajectories;

/// <summary>JSONL (de)serialisation of trajectories: snake_case keys, enums as strings, one trajectory per line.</summary>
public static class TrajectoryJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Serialize(Trajectory trajectory) => JsonSerializer.Serialize(trajectory, Options);

    public static Trajectory Deserialize(string line)
        => JsonSerializer.Deserialize<Trajectory>(line, Options) ?? throw new JsonException("A trajectory line is 'null'.");

    public static async Task WriteAsync(TextWriter writer, Trajectory trajectory, CancellationToken cancellationToken)
    {
        await writer.WriteLineAsync(Serialize(trajectory).AsMemory(), cancellationToken);
    }

    /// <summary>Reads a JSONL file; a malformed line raises an error naming the file and line.</summary>
    public static async IAsyncEnumerable<Trajectory> ReadAsync(string path, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(path, Encoding.UTF8);
        int lineNumber = 0;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            Trajectory trajectory;
            try
            {
                trajectory = Deserialize(line);
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException($"{path}:{lineNumber}: not a valid trajectory: {ex.Message}", ex);
            }

            yield return trajectory;
        }
    }
}
