using System.CommandLine;
using System.Text;
using System.Text.Json.Nodes;
using DeepResearcher.ChatModels;
using DeepResearcher.Evaluation.Datasets;
using DeepResearcher.Evaluation.Filtering;

namespace DeepResearcher.Cli.Commands;

/// <summary><c>deepresearcher data filter</c>: the original's training-data filters and mix; <c>data export</c>: a question set as verl's parquet or JSONL.</summary>
internal static class DataCommand
{
    public static Command Create()
    {
        var data = new Command("data", "Prepare training data.");
        var input = new Option<FileInfo>("--data") { Description = DataOption.Description, Required = true };
        var output = new Option<FileInfo>("--out") { Description = "File of the kept questions, JSONL or (OUT.parquet) the original's parquet layout; drops go to OUT.drops.jsonl with their reasons.", Required = true };
        // The policy's endpoint options: the closed-book answers come from the policy's base model, which is also the default labeller.
        var endpoint = ModelEndpointOptions.Policy();
        var qualityModel = new Option<string?>("--quality-model") { Description = "Model that labels question quality (default: --model; the paper used DeepSeek-R1)." };
        var samples = new Option<int>("--samples") { Description = "Closed-book answers per question; any containing a gold alias drops it (pass@k).", DefaultValueFactory = _ => 10 };
        var noQuality = new Option<bool>("--no-quality") { Description = "Skip the quality filter." };
        var noContamination = new Option<bool>("--no-contamination") { Description = "Skip the contamination filter." };
        var mix = new Option<string?>("--mix") { Description = "Training mix of the kept questions, SOURCE=RATIO,… (the original: nq=1,tq=1,hotpotqa=3,2wiki=3)." };
        var mixTotal = new Option<int>("--mix-total") { Description = "Questions in the mix (the original: 80000).", DefaultValueFactory = _ => 80000 };
        var seed = new Option<int>("--seed") { Description = "Seed of the mix draw.", DefaultValueFactory = _ => 0 };
        var concurrency = new Option<int>("--concurrency") { Description = "Questions processed at once.", DefaultValueFactory = _ => 8 };
        var filter = new Command("filter", "Drop contaminated (answerable closed-book) and low-quality questions, optionally build a source mix; every drop is logged with its reason.")
        {
            input, output, qualityModel, samples, noQuality, noContamination, mix, mixTotal, seed, concurrency,
        };
        endpoint.AddTo(filter);
        filter.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(parse.InvocationConfiguration.Error, async () =>
        {
            var log = ProgressConsole.For(parse);
            IReadOnlyList<QaExample> examples = await QaDataset.LoadAsync(parse.GetRequiredValue(input).FullName, cancellationToken);
            IReadOnlyDictionary<string, double>? ratios = parse.GetValue(mix) is { } mixText ? TrainingMix.ParseRatios(mixText) : null;
            if (ratios is not null)
            {
                // Before the filters: they call a model for every question, and a misspelt source should not wait for them.
                TrainingMix.CheckSources(ratios, examples);
            }

            bool useQuality = !parse.GetValue(noQuality);
            bool useContamination = !parse.GetValue(noContamination);
            QualityFilter? quality = null;
            ContaminationFilter? contamination = null;
            if (useQuality || useContamination)
            {
                OpenAIChatModelOptions baseModel = endpoint.ReadRequired(parse, "the quality and contamination filters call the base model (or pass --no-quality --no-contamination)");
                OpenAIChatModel Client(string name) => new(new OpenAIChatModelOptions
                {
                    BaseUrl = baseModel.BaseUrl,
                    Model = name,
                    ApiKeyEnvironmentVariable = baseModel.ApiKeyEnvironmentVariable,
                    Timeout = baseModel.Timeout,
                    MaxRetries = baseModel.MaxRetries,
                });
                quality = useQuality ? new QualityFilter(Client(parse.GetValue(qualityModel) ?? baseModel.Model)) : null;
                contamination = useContamination ? new ContaminationFilter(Client(baseModel.Model), Math.Max(1, parse.GetValue(samples))) : null;
            }

            int done = 0;
            IReadOnlyList<FilterDecision> decisions = await DataFilterPipeline.RunAsync(examples, quality, contamination, parse.GetValue(concurrency),
                new SynchronousProgress<FilterDecision>(d =>
                {
                    int n = Interlocked.Increment(ref done);
                    if (n % 100 == 0 || n == examples.Count)
                    {
                        log.Report($"{n}/{examples.Count} questions screened");
                    }
                }), cancellationToken);

            var keptIds = new HashSet<string>(decisions.Where(d => d.Kept).Select(d => d.Id), StringComparer.Ordinal);
            IReadOnlyList<QaExample> kept = [.. examples.Where(e => keptIds.Contains(e.Id))];
            if (ratios is not null)
            {
                (IReadOnlyList<QaExample> mixed, IReadOnlyList<string> shortfalls) = TrainingMix.Build(kept, ratios, parse.GetValue(mixTotal), parse.GetValue(seed));
                foreach (string shortfall in shortfalls)
                {
                    log.Report("mix shortfall: " + shortfall);
                }

                kept = mixed;
            }

            string outPath = parse.GetRequiredValue(output).FullName;
            await QaDataset.WriteAsync(outPath, kept, cancellationToken);
            await WriteAtomicAsync(outPath + ".drops.jsonl", decisions.Where(d => !d.Kept).Select(d => new JsonObject
            {
                ["id"] = d.Id,
                ["reason"] = d.Reason,
                ["evidence"] = d.Evidence,
            }.ToJsonString()), cancellationToken);

            TextWriter writer = parse.InvocationConfiguration.Output;
            await writer.WriteLineAsync($"kept {kept.Count} of {examples.Count} questions → {outPath}");
            foreach (IGrouping<string?, FilterDecision> reason in decisions.Where(d => !d.Kept).GroupBy(d => d.Reason).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                await writer.WriteLineAsync($"  dropped {reason.Count(),6} {reason.Key}");
            }

            return 0;
        }));
        data.Subcommands.Add(filter);
        data.Subcommands.Add(Export());
        return data;
    }

    /// <summary><c>data export</c>: any question set the commands read, written as verl's parquet (or JSONL), so verl and its peers train and evaluate on it.</summary>
    private static Command Export()
    {
        var input = new Option<FileInfo>("--data") { Description = DataOption.Description, Required = true };
        var output = new Option<FileInfo>("--out") { Description = "File to write (atomically: a reader never sees half of it).", Required = true };
        var format = new Option<string?>("--format") { Description = "parquet (the original's data/*.parquet layout: data_source, prompt, ability, reward_model, extra_info) or jsonl; default: OUT's extension." };
        format.AcceptOnlyFromAmong("parquet", "jsonl");
        var split = new Option<string>("--split") { Description = "extra_info.split of every parquet row (the original's: train, dev, test).", DefaultValueFactory = _ => VerlColumns.DefaultSplit };
        var export = new Command("export", "Write a question set (JSONL, parquet, or a world's questions file) as the original's verl parquet, which verl, Search-R1 and their peers read as their own, or as JSONL.")
        {
            input, output, format, split,
        };
        export.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(parse.InvocationConfiguration.Error, async () =>
        {
            IReadOnlyList<QaExample> examples = await QaDataset.LoadAsync(parse.GetRequiredValue(input).FullName, cancellationToken);
            string outPath = parse.GetRequiredValue(output).FullName;
            DatasetFormat written = parse.GetValue(format) switch
            {
                "parquet" => DatasetFormat.Parquet,
                "jsonl" => DatasetFormat.Jsonl,
                _ => QaDataset.FormatOf(outPath),
            };
            await QaDataset.WriteAsync(outPath, examples, cancellationToken, written, parse.GetRequiredValue(split));
            await parse.InvocationConfiguration.Output.WriteLineAsync(
                $"wrote {examples.Count} questions ({string.Join(", ", examples.GroupBy(e => e.Source).Select(g => $"{g.Key} {g.Count()}"))}) as {written.ToString().ToLowerInvariant()} → {outPath}");
            return 0;
        }));
        return export;
    }

    private static async Task WriteAtomicAsync(string path, IEnumerable<string> lines, CancellationToken cancellationToken)
    {
        string temp = path + ".tmp";
        await File.WriteAllTextAsync(temp, string.Concat(lines.Select(l => l + "\n")), new UTF8Encoding(false), cancellationToken);
        File.Move(temp, path, overwrite: true);
    }
}
