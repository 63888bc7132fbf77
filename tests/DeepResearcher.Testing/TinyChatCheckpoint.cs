using System.Text.Json.Nodes;
using DeepResearcher.Core.Protocol;
using DeepResearcher.Core.Protocol.Rendering;
using DeepResearcher.Engine.Checkpoints;
using DeepResearcher.Engine.Model;
using DeepResearcher.Engine.Optim;
using DeepResearcher.Engine.Tokenization;

namespace DeepResearcher.Testing;

/// <summary>
/// A tiny Qwen2-style chat checkpoint (BPE tokenizer with the protocol's tags, random 2-layer model) taught to give
/// fixed replies to a few fixed conversations, so a served model's behaviour can be asserted exactly: a tool call
/// in hermes format, a plain answer. Built once per test process (a few seconds) and saved as <c>train</c> exports a
/// checkpoint.
/// </summary>
public sealed class TinyChatCheckpoint
{
    public const string ToolQuestion = "Find the capital of Freedonia.";
    public const string ToolReply = "<think>I should search.</think>\n<tool_call>\n{\"name\": \"web_search\", \"arguments\": {\"query\": [\"capital of Freedonia\"]}}\n</tool_call>";
    public const string PlainQuestion = "Say hello.";
    public const string PlainReply = "<think>greet</think>\n<answer>Hello there, friend</answer>";

    private static readonly Lazy<TinyChatCheckpoint> Shared = new(Build, LazyThreadSafetyMode.ExecutionAndPublication);

    private TinyChatCheckpoint(BpeTokenizer tokenizer, TransformerModel model, string directory)
    {
        Tokenizer = tokenizer;
        Model = model;
        Directory = directory;
    }

    public static TinyChatCheckpoint Instance => Shared.Value;

    public static ToolSchema SearchTool { get; } = new("web_search", "Search the web.", new JsonObject
    {
        ["type"] = "object",
        ["properties"] = new JsonObject { ["query"] = new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "string" } } },
        ["required"] = new JsonArray("query"),
    });

    public BpeTokenizer Tokenizer { get; }

    /// <summary>The taught weights; load a fresh copy from <see cref="Directory"/> to serve them.</summary>
    public TransformerModel Model { get; }

    /// <summary>config.json, model.safetensors, tokenizer.json and agent_settings.json; shared by the process's tests, do not modify.</summary>
    public string Directory { get; }

    /// <summary>The prompt text the server renders for the tool question with <see cref="SearchTool"/>.</summary>
    public static string ToolPrompt => Qwen25ChatTemplate.Instance.Render([ChatMessage.User(ToolQuestion)], [SearchTool], addGenerationPrompt: true);

    public static string PlainPrompt => Qwen25ChatTemplate.Instance.Render([ChatMessage.User(PlainQuestion)], null, addGenerationPrompt: true);

    public static TransformerModel LoadModel() => HuggingFaceCheckpoint.Load(Instance.Directory);

    private static TinyChatCheckpoint Build()
    {
        string[] chatTokens = ["<|im_start|>", "<|im_end|>", "<think>", "</think>", "<tool_call>", "</tool_call>", "<answer>", "</answer>", "<tool_response>", "</tool_response>"];
        (string Prompt, string Reply)[] lessons = [(ToolPrompt, ToolReply + "<|im_end|>"), (PlainPrompt, PlainReply + "<|im_end|>")];
        BpeTokenizer tokenizer = BpeTrainer.Train([.. lessons.Select(l => l.Prompt + l.Reply), "hello world, the quick brown fox"], 400, chatTokens);
        var model = TransformerModel.Create(new TransformerConfig
        {
            VocabSize = tokenizer.VocabSize, HiddenSize = 48, IntermediateSize = 96, NumLayers = 2, NumHeads = 2, NumKeyValueHeads = 1,
            TieWordEmbeddings = true, QkvBias = true, MaxPositionEmbeddings = 1024,
        });
        Initialize(model, seed: 7);
        Teach(model, tokenizer, lessons);
        string directory = Path.Combine(Path.GetTempPath(), $"dr-tiny-chat-{Environment.ProcessId}-{Guid.NewGuid():N}");
        HuggingFaceCheckpoint.SaveAsync(model, directory).GetAwaiter().GetResult();
        tokenizer.Save(Path.Combine(directory, "tokenizer.json"));
        File.WriteAllText(Path.Combine(directory, "agent_settings.json"), "{\n  \"template\": \"qwen2.5\"\n}");
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                System.IO.Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: a file still open at exit leaves the directory to the temp cleaner.
            }
        };
        return new TinyChatCheckpoint(tokenizer, model, directory);
    }

    private static void Initialize(TransformerModel model, int seed)
    {
        var random = new Random(seed);
        foreach (Parameter p in model.Parameters)
        {
            if (p.Name.EndsWith("norm.weight", StringComparison.Ordinal))
            {
                Array.Fill(p.Data, 1f);
            }
            else if (p.Name.EndsWith(".bias", StringComparison.Ordinal))
            {
                Array.Clear(p.Data);
            }
            else
            {
                for (int i = 0; i < p.Data.Length; i++) p.Data[i] = (float)((random.NextDouble() * 2 - 1) * 0.05);
            }
        }
    }

    /// <summary>Trains on the replies until greedy decoding reproduces each (every reply token has probability over ½).</summary>
    private static void Teach(TransformerModel model, BpeTokenizer tokenizer, (string Prompt, string Reply)[] lessons)
    {
        var tokens = new List<int>();
        var targets = new List<int>();
        var counts = new List<bool>();
        var lengths = new int[lessons.Length];
        for (int l = 0; l < lessons.Length; l++)
        {
            int[] prompt = tokenizer.Encode(lessons[l].Prompt), reply = tokenizer.Encode(lessons[l].Reply);
            int[] sequence = [.. prompt, .. reply];
            lengths[l] = sequence.Length - 1;
            for (int t = 0; t < sequence.Length - 1; t++)
            {
                tokens.Add(sequence[t]);
                targets.Add(sequence[t + 1]);
                counts.Add(t + 1 >= prompt.Length);
            }
        }

        var batch = new TokenBatch([.. tokens], lengths);
        int taught = counts.Count(c => c);
        var gradient = new float[tokens.Count];
        for (int t = 0; t < gradient.Length; t++)
        {
            gradient[t] = counts[t] ? -1f / taught : 0f;
        }
        var logProbs = new float[tokens.Count];
        var optimizer = new AdamW(model.Parameters, new AdamWOptions { WeightDecay = 0 });
        for (int step = 0; step < 2000; step++)
        {
            optimizer.ZeroGrad();
            model.ForwardLogProbs(batch, [.. targets], logProbs);
            bool learned = true;
            for (int t = 0; t < logProbs.Length; t++)
            {
                learned &= !counts[t] || logProbs[t] > MathF.Log(0.6f);
            }
            if (learned)
            {
                return;
            }
            model.Backward(gradient);
            optimizer.Step(1e-2f);
        }

        throw new InvalidOperationException("the tiny chat model did not learn its replies in 2000 steps");
    }
}
