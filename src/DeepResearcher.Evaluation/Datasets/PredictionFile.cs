using System.Text.Json;

namespace DeepResearcher.Evaluation.Datasets;

public static class PredictionFile
{
    /// <summary>Reads <c>{"id","prediction"}</c> lines; a null prediction counts as no answer (empty).</summary>
    public static async Task<IReadOnlyList<(int Line, Prediction Prediction)>> LoadAsync(string path, CancellationToken cancellationToken)
    {
        var predictions = new List<(int, Prediction)>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        await foreach ((int line, JsonElement obj) in JsonlReader.ReadObjectsAsync(path, cancellationToken))
        {
            string id = JsonlReader.RequireString(obj, "id", path, line);
            if (!seen.TryAdd(id, line))
            {
                throw new DataFileException(path, line, $"duplicate prediction for id '{id}' (first on line {seen[id]})");
            }

            if (!obj.TryGetProperty("prediction", out JsonElement value))
            {
                throw new DataFileException(path, line, "missing \"prediction\"");
            }

            string text = value.ValueKind switch
            {
                JsonValueKind.String => value.GetString()!,
                JsonValueKind.Null => string.Empty,
                JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
                _ => throw new DataFileException(path, line, $"\"prediction\" must be a string, got {value.ValueKind.ToString().ToLowerInvariant()}"),
            };
            predictions.Add((line, new Prediction(id, text)));
        }

        return predictions;
    }
}
