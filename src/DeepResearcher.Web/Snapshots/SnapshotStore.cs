using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using DeepResearcher.Core.Agent;
using DeepResearcher.Web.Remote;

namespace DeepResearcher.Web.Snapshots;

/// <summary>
/// A content-addressed store of tool results: each result is a JSON object file named by its SHA-256
/// (<c>objects/ab/abcd….json</c>, written atomically), and <c>index.jsonl</c> maps call keys to objects. Identical
/// results are stored once. A recorded run can be replayed offline, exactly; a frozen web to train on.
/// </summary>
public sealed class SnapshotStore : IDisposable
{
    private const string IndexFile = "index.jsonl";

    private readonly string _root;
    private readonly ConcurrentDictionary<string, string> _index = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _indexLock = new(1, 1);

    private SnapshotStore(string root) => _root = root;

    public string Root => _root;

    public int Count => _index.Count;

    /// <summary>Opens a store; with <paramref name="create"/> a missing directory is created, else it is an error.</summary>
    public static async Task<SnapshotStore> OpenAsync(string directory, bool create, CancellationToken cancellationToken)
    {
        string root = Path.GetFullPath(directory);
        if (!Directory.Exists(root))
        {
            if (!create)
            {
                throw new DirectoryNotFoundException($"snapshot store '{root}' does not exist; record one first with --record {directory}");
            }

            Directory.CreateDirectory(root);
        }

        var store = new SnapshotStore(root);
        string index = Path.Combine(root, IndexFile);
        if (File.Exists(index))
        {
            string[] lines = await File.ReadAllLinesAsync(index, cancellationToken);
            for (int i = 0; i < lines.Length; i++)
            {
                if (string.IsNullOrWhiteSpace(lines[i]))
                {
                    continue;
                }

                JsonObject? entry = null;
                try
                {
                    entry = JsonNode.Parse(lines[i]) as JsonObject;
                }
                catch (System.Text.Json.JsonException) when (i == lines.Length - 1)
                {
                    // A torn last line (a crash mid-append) is skipped; every complete line before it is kept.
                }

                if (entry?["key"]?.GetValue<string>() is { } key && entry["object"]?.GetValue<string>() is { } hash)
                {
                    store._index[key] = hash;
                }
                else if (i < lines.Length - 1)
                {
                    throw new InvalidDataException($"{index}:{i + 1}: not a snapshot index entry");
                }
            }
        }

        return store;
    }

    public async Task PutAsync(string key, ToolResult result, CancellationToken cancellationToken)
    {
        string json = ToolWireFormat.ResultToJson(result, 0).ToJsonString();
        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)));
        string path = ObjectPath(hash);
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            string temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
            await File.WriteAllTextAsync(temp, json, cancellationToken);
            File.Move(temp, path, overwrite: true);
        }

        if (_index.TryGetValue(key, out string? existing) && existing == hash)
        {
            return;
        }

        await _indexLock.WaitAsync(cancellationToken);
        try
        {
            // One write per whole line, so a crash can only tear the last line.
            string line = new JsonObject { ["key"] = key, ["object"] = hash }.ToJsonString() + "\n";
            await File.AppendAllTextAsync(Path.Combine(_root, IndexFile), line, cancellationToken);
            _index[key] = hash;
        }
        finally
        {
            _indexLock.Release();
        }
    }

    public async Task<ToolResult?> GetAsync(string key, CancellationToken cancellationToken)
    {
        if (!_index.TryGetValue(key, out string? hash))
        {
            return null;
        }

        string path = ObjectPath(hash);
        if (!File.Exists(path))
        {
            throw new InvalidDataException($"snapshot store '{_root}': object {hash} listed in the index is missing");
        }

        return ToolWireFormat.ResultFromJson(JsonNode.Parse(await File.ReadAllTextAsync(path, cancellationToken))!.AsObject());
    }

    private string ObjectPath(string hash) => Path.Combine(_root, "objects", hash[..2], hash + ".json");

    public void Dispose() => _indexLock.Dispose();
}
