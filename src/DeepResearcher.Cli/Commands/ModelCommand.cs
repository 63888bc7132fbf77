using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using DeepResearcher.Engine.Checkpoints;
using DeepResearcher.Engine.Sampling;

namespace DeepResearcher.Cli.Commands;

/// <summary><c>deepresearcher model …</c>: inspect a Hugging Face checkpoint, tokenize with it and generate from it with the .NET engine.</summary>
internal static class ModelCommand
{
    public static Command Create()
    {
        var model = new Command("model", "Inspect, tokenize with and generate from a local Qwen2 / Llama checkpoint with the built-in engine.");
        model.Subcommands.Add(CreateInfo());
        model.Subcommands.Add(CreateGenerate());
        model.Subcommands.Add(CreateTokenize());
        return model;
    }

    private static Argument<DirectoryInfo> DirectoryArgument() =>
        new("dir") { Description = "A Hugging Face checkpoint directory: config.json, model.safetensors (or shards), tokenizer.json." };

    private static Command CreateInfo()
    {
        var dir = DirectoryArgument();
        var command = new Command("info", "Show a checkpoint's architecture, parameter count, weight dtypes and tokenizer.") { dir };
        command.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(parse.InvocationConfiguration.Error, async () =>
        {
            var summary = await Checkpoint(() => CheckpointSummary.ReadAsync(parse.GetRequiredValue(dir).FullName, cancellationToken));
            var c = summary.Config;
            TextWriter output = parse.InvocationConfiguration.Output;
            var inv = CultureInfo.InvariantCulture;
            await output.WriteLineAsync($"directory        {summary.Directory}");
            await output.WriteLineAsync($"architecture     {c.ModelType}");
            await output.WriteLineAsync(string.Create(inv, $"parameters       {summary.ParameterCount:N0} ({summary.ParameterCount / 1e6:F1} M)"));
            await output.WriteLineAsync($"weight dtype     {string.Join(", ", summary.WeightTypes)} in {string.Join(", ", summary.WeightFiles)}");
            await output.WriteLineAsync(string.Create(inv, $"layers           {c.NumLayers}, hidden {c.HiddenSize}, ffn {c.IntermediateSize}"));
            await output.WriteLineAsync(string.Create(inv, $"attention        {c.NumHeads} heads, {c.NumKeyValueHeads} key/value heads, head size {c.HeadDim}, qkv bias {c.QkvBias}"));
            await output.WriteLineAsync(string.Create(inv, $"rope             θ = {c.RopeTheta}{(c.RopeScaling is null ? "" : ", scaled")}; max positions {c.MaxPositionEmbeddings}"));
            await output.WriteLineAsync(string.Create(inv, $"vocab            {c.VocabSize} (model), tied embeddings {c.TieWordEmbeddings}"));
            if (summary.Tokenizer is { } tokenizer)
            {
                await output.WriteLineAsync(string.Create(inv, $"tokenizer        byte-level BPE, {tokenizer.VocabSize} tokens, {tokenizer.MergeCount} merges"));
                var special = tokenizer.AddedTokens.Where(t => t.Special).Select(t => $"{t.Content}={t.Id}").ToList();
                await output.WriteLineAsync($"special tokens   {(special.Count == 0 ? "none" : string.Join(" ", special.Take(12)))}{(special.Count > 12 ? $" … ({special.Count} in all)" : "")}");
            }
            else
            {
                await output.WriteLineAsync("tokenizer        none (no tokenizer.json)");
            }
            return 0;
        }));
        return command;
    }

    private static Command CreateGenerate()
    {
        var dir = DirectoryArgument();
        var prompt = new Option<string>("--prompt") { Description = "Text to continue.", Required = true };
        var chat = new Option<bool>("--chat") { Description = "Wrap the prompt as a ChatML user turn (with Qwen's default system message) and stop at <|im_end|>." };
        var maxTokens = new Option<int>("--max-tokens") { Description = "Most tokens to generate.", DefaultValueFactory = _ => 256 };
        var temperature = new Option<float>("--temperature") { Description = "Sampling temperature; 0 is greedy.", DefaultValueFactory = _ => 0.7f };
        var topP = new Option<float>("--top-p") { Description = "Nucleus sampling threshold; 1 disables it.", DefaultValueFactory = _ => 0.9f };
        var topK = new Option<int>("--top-k") { Description = "Keep only the K most likely tokens; 0 disables it.", DefaultValueFactory = _ => 0 };
        var seed = new Option<int?>("--seed") { Description = "Seed of the sampler; the same seed and prompt give the same output." };
        var bf16 = new Option<bool>("--bf16") { Description = "Decode with a bfloat16 copy of the weights (about twice as fast, slightly different numbers)." };
        var command = new Command("generate", "Generate text, streaming tokens to stdout as they come; statistics go to stderr.")
        {
            dir, prompt, chat, maxTokens, temperature, topP, topK, seed, bf16,
        };
        command.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(parse.InvocationConfiguration.Error, async () =>
        {
            string directory = parse.GetRequiredValue(dir).FullName;
            var tokenizer = await CheckpointSummary.LoadTokenizerAsync(directory, cancellationToken);
            bool isChat = parse.GetValue(chat);
            string text = parse.GetRequiredValue(prompt);
            int[] promptIds = tokenizer.Encode(isChat ? ChatMarkup.UserPrompt(text) : text);
            var options = new DecodingOptions
            {
                Temperature = parse.GetValue(temperature),
                TopP = parse.GetValue(topP),
                TopK = parse.GetValue(topK),
                MaxNewTokens = parse.GetValue(maxTokens),
                Seed = parse.GetValue(seed),
                StopTokenIds = isChat ? [ChatMarkup.TurnEndId(tokenizer)] : [],
            };
            options.Validate();
            var batching = new ContinuousBatchingOptions
            {
                MaxBatchSize = 1,
                MaxTotalTokens = Math.Max(2, promptIds.Length + options.MaxNewTokens),
                WeightType = parse.GetValue(bf16) ? InferenceWeightType.BFloat16 : InferenceWeightType.Float32,
            };
            TextWriter output = parse.InvocationConfiguration.Output;
            TextWriter error = parse.InvocationConfiguration.Error;
            var loading = Stopwatch.StartNew();
            await using var sampler = await Checkpoint(() => ContinuousBatchingSampler.LoadAsync(directory, batching, cancellationToken));
            await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"loaded in {loading.Elapsed.TotalSeconds:F1} s; prompt {promptIds.Length} tokens"));

            var decoder = tokenizer.CreateStreamingDecoder();
            var clock = Stopwatch.StartNew();
            TimeSpan firstToken = TimeSpan.Zero;
            int count = 0;
            var request = new SamplingRequest(promptIds, options)
            {
                // Runs on the decode thread, which is the only writer until the request completes.
                OnToken = token =>
                {
                    if (count++ == 0) firstToken = clock.Elapsed;
                    if (isChat && token.Id == options.StopTokenIds[0]) return;
                    output.Write(decoder.Append(token.Id));
                    output.Flush();
                },
            };
            var result = await sampler.SubmitAsync(request, cancellationToken);
            await output.WriteLineAsync(decoder.Flush());
            double decodeSeconds = (clock.Elapsed - firstToken).TotalSeconds;
            await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{result.TokenIds.Length} tokens ({result.StopReason}); prefill + first token {firstToken.TotalSeconds:F2} s; decode {(result.TokenIds.Length > 1 ? (result.TokenIds.Length - 1) / decodeSeconds : 0):F1} tok/s; mean log-prob {(result.LogProbs.Length == 0 ? 0 : result.LogProbs.Average()):F3}"));
            return 0;
        }));
        return command;
    }

    private static Command CreateTokenize()
    {
        var dir = DirectoryArgument();
        var text = new Argument<string>("text") { Description = "Text to tokenize; special tokens such as <|im_end|> are recognised." };
        var command = new Command("tokenize", "Show the token ids and tokens of a text under a checkpoint's tokenizer.") { dir, text };
        command.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(parse.InvocationConfiguration.Error, async () =>
        {
            var tokenizer = await CheckpointSummary.LoadTokenizerAsync(parse.GetRequiredValue(dir).FullName, cancellationToken);
            int[] ids = tokenizer.Encode(parse.GetRequiredValue(text));
            TextWriter output = parse.InvocationConfiguration.Output;
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{ids.Length} tokens: [{string.Join(", ", ids)}]"));
            foreach (int id in ids)
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{id,8}  {tokenizer.IdToToken(id)}  {Quote(tokenizer.Decode([id]))}"));
            return 0;
        }));
        return command;
    }

    private static string Quote(string text) =>
        "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)
            .Replace("\t", "\\t", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    /// <summary>Checkpoint format problems are the user's to fix: report them as bad input, not as a crash.</summary>
    private static async Task<T> Checkpoint<T>(Func<Task<T>> load)
    {
        try
        {
            return await load();
        }
        catch (CheckpointFormatException ex)
        {
            throw new InvalidDataException(ex.Message, ex);
        }
    }
}
