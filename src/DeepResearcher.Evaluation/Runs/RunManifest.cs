using System.Text.Json;
using System.Text.Json.Nodes;
using DeepResearcher.Evaluation.Datasets;

namespace DeepResearcher.Evaluation.Runs;

/// <summary><c>run.json</c>: what a run is and how it was made.</summary>
public sealed record RunManifest
{
    public required string Name { get; init; }

    /// <summary><c>eval</c> or <c>train</c>.</summary>
    public required string Kind { get; init; }

    public DateTimeOffset CreatedAt { get; init; } = DateTimeOffset.UtcNow;

    public string Model { get; init; } = string.Empty;

    public string Data { get; init; } = string.Empty;

    /// <summary>The environment: <c>none</c>, <c>world:DIR</c>, <c>web</c>…</summary>
    public string Tools { get; init; } = "none";

    public JsonObject Config { get; init; } = [];

    public static async Task<RunManifest> LoadAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new DataFileException(path, null, "file not found");
        }

        try
        {
            return JsonSerializer.Deserialize<RunManifest>(await File.ReadAllTextAsync(path, cancellationToken), RunJson.Options)
                ?? throw new DataFileException(path, 1, "expected a JSON object, got null");
        }
        catch (JsonException ex)
        {
            throw new DataFileException(path, null, $"not a valid run manifest ({ex.Message.Split(" Path:", 2)[0]})");
        }
    }

    public Task SaveAsync(string path, CancellationToken cancellationToken)
        => AtomicFile.WriteAllTextAsync(path, JsonSerializer.Serialize(this, new JsonSerializerOptions(RunJson.Options) { WriteIndented = true }) + "\n", cancellationToken);
}
