using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using DeepResearcher.World.Questions;

namespace DeepResearcher.World.Storage;

/// <summary>The file layout of a world directory and the hashing that ties it to its manifest.</summary>
public static class WorldFiles
{
    public const string WorldFile = "world.json";
    public const string IndexFile = "index.db";
    public const string QuestionsFolder = "questions";

    public static string QuestionFile(QuestionSplit split) => QuestionsFolder + "/" + split.ToString().ToLowerInvariant() + ".jsonl";

    /// <summary>Every data file a world directory must hold, in the fixed order used for the content hash.</summary>
    public static IReadOnlyList<string> DataFiles { get; } =
        [IndexFile, QuestionFile(QuestionSplit.Dev), QuestionFile(QuestionSplit.Test), QuestionFile(QuestionSplit.Train), WorldFile];

    public static string FullPath(string root, string relative) => Path.Combine(root, relative.Replace('/', Path.DirectorySeparatorChar));

    public static async Task<WorldFileEntry> DescribeAsync(string root, string relative, CancellationToken ct)
    {
        string full = FullPath(root, relative);
        await using var stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        byte[] hash = await SHA256.HashDataAsync(stream, ct).ConfigureAwait(false);
        return new WorldFileEntry(relative, stream.Length, Convert.ToHexStringLower(hash));
    }

    public static string ContentHash(IReadOnlyList<WorldFileEntry> files)
    {
        var sb = new StringBuilder();
        foreach (var f in files) sb.Append(f.Path).Append('\t').Append(f.Bytes.ToString(CultureInfo.InvariantCulture)).Append('\t').Append(f.Sha256).Append('\n');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())));
    }
}
