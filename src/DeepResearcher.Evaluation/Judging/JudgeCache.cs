using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DeepResearcher.Evaluation.Datasets;
using DeepResearcher.Evaluation.Runs;

namespace DeepResearcher.Evaluation.Judging;

/// <summary>
/// Verdicts on disk, one JSONL line each, keyed by judge model, question, answers and prediction, so re-scoring a run
/// (or another run with the same predictions) calls the judge only for what it has never seen. Failures are not
/// cached: the next scoring tries them again.
/// </summary>
public sealed class JudgeCache : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, (bool Correct, string Rationale)> _verdicts;
    private readonly JsonlAppender _appender;

    private JudgeCache(string path, ConcurrentDictionary<string, (bool, string)> verdicts)
    {
        Path = path;
        _verdicts = verdicts;
        _appender = new JsonlAppender(path);
    }

    public string Path { get; }

    public int Count => _verdicts.Count;

    public static async Task<JudgeCache> OpenAsync(string path, CancellationToken cancellationToken)
    {
        var verdicts = new ConcurrentDictionary<string, (bool, string)>(StringComparer.Ordinal);
        if (File.Exists(path))
        {
            string[] lines = await File.ReadAllLinesAsync(path, cancellationToken);
            var valid = new List<string>();
            bool tornTail = false;
            for (int i = 0; i < lines.Length; i++)
            {
                if (string.IsNullOrWhiteSpace(lines[i]))
                {
                    continue;
                }

                if (ParseLine(lines[i]) is { } entry)
                {
                    verdicts[entry.Key] = (entry.Correct, entry.Rationale);
                    valid.Add(lines[i]);
                }
                else if (i == lines.Length - 1)
                {
                    tornTail = true;
                }
                else
                {
                    // Only a torn last line is expected (an interrupted append); anything else is a corrupt cache.
                    throw new DataFileException(path, i + 1, "not a valid judge-cache line; delete the file to rebuild the cache");
                }
            }

            if (tornTail)
            {
                await AtomicFile.WriteAllLinesAsync(path, valid, cancellationToken);
            }
            else if (new FileInfo(path).Length > 0 && !(await File.ReadAllTextAsync(path, cancellationToken)).EndsWith('\n'))
            {
                await File.AppendAllTextAsync(path, "\n", cancellationToken);
            }
        }

        return new JudgeCache(path, verdicts);
    }

    private static (string Key, bool Correct, string Rationale)? ParseLine(string line)
    {
        try
        {
            return JsonNode.Parse(line) is JsonObject node
                   && node["key"] is JsonValue key && key.TryGetValue(out string? k)
                   && node["correct"] is JsonValue correct && correct.TryGetValue(out bool c)
                ? (k, c, node["rationale"] is JsonValue r && r.TryGetValue(out string? text) ? text : string.Empty)
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static string Key(string judgeModel, string question, IReadOnlyList<string> answers, string prediction)
    {
        string material = JsonSerializer.Serialize(new object[] { judgeModel, question, answers, prediction });
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(material)));
    }

    public bool TryGet(string key, out (bool Correct, string Rationale) verdict) => _verdicts.TryGetValue(key, out verdict);

    public async Task AddAsync(string key, string judgeModel, string question, IReadOnlyList<string> answers, string prediction, bool correct, string rationale, CancellationToken cancellationToken)
    {
        if (!_verdicts.TryAdd(key, (correct, rationale)))
        {
            return;
        }

        var line = new JsonObject
        {
            ["key"] = key,
            ["judge"] = judgeModel,
            ["question"] = question,
            ["answers"] = new JsonArray([.. answers.Select(a => (JsonNode)a)]),
            ["prediction"] = prediction,
            ["correct"] = correct,
            ["rationale"] = rationale,
        };
        await _appender.AppendAsync(line.ToJsonString(RunJson.Options), cancellationToken);
    }

    public ValueTask DisposeAsync() => _appender.DisposeAsync();
}
