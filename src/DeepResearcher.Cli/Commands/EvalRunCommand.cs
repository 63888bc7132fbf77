using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using DeepResearcher.ChatModels;
using DeepResearcher.Cli.Observability;
using DeepResearcher.Core.Agent;
using DeepResearcher.Core.Protocol.Observations;
using DeepResearcher.Core.Protocol.Rendering;
using DeepResearcher.Environments.Composition;
using DeepResearcher.Evaluation.Baselines;
using DeepResearcher.Evaluation.Datasets;
using DeepResearcher.Evaluation.Judging;
using DeepResearcher.Evaluation.Reporting;
using DeepResearcher.Evaluation.Running;
using DeepResearcher.Evaluation.Runs;
using DeepResearcher.Evaluation.Scoring;
using DeepResearcher.Training.Checkpoints;
using DeepResearcher.World.Demonstration;
using DeepResearcher.World.Questions;

namespace DeepResearcher.Cli.Commands;

/// <summary><c>deepresearcher eval run</c>: the research agent on a dataset, into a resumable run directory.</summary>
internal static class EvalRunCommand
{
    public static Command Create()
    {
        var policy = new PolicyOptions(temperatureDefault: "0, greedy, for one sample; 1.0 for several");
        var tools = new ToolOptions();
        var otlp = new OtlpOption();
        var judge = ModelEndpointOptions.Judge();
        var data = new Option<FileInfo>("--data") { Description = DataOption.Description, Required = true };
        var outDir = new Option<DirectoryInfo>("--out") { Description = "Run directory to write (and to resume, when it already holds results).", Required = true };
        var name = new Option<string?>("--name") { Description = "Run name for run.json and the report (default: the directory's name)." };
        var sources = new Option<string?>("--sources") { Description = "Comma-separated sources to keep, e.g. nq,tq,hotpotqa." };
        var limit = new Option<int?>("--limit") { Description = "At most N questions in all." };
        var perSource = new Option<int?>("--per-source") { Description = "At most N questions per source, drawn with --seed (the paper drew 512)." };
        var seed = new Option<int>("--seed") { Description = "Seed of the --per-source draw and of sampling.", DefaultValueFactory = _ => 0 };
        var expert = new Option<DirectoryInfo?>("--expert") { Description = "Policy: the scripted expert demonstrator of this world (world questions only); its world is also the tools' unless --world names another." };
        var noisy = new Option<bool>("--noisy") { Description = "Make the expert imperfect (vague first queries, extra browses, giving up)." };
        var concurrency = new Option<int>("--concurrency") { Description = "Questions researched at once.", DefaultValueFactory = _ => 4 };
        var samples = new Option<int>("--samples") { Description = "Trajectories per question; above 1 the report shows avg@n and pass@n.", DefaultValueFactory = _ => 1 };
        var baseline = new Option<string?>("--baseline") { Description = "Instead of the research agent, the paper's prompt baseline with the --model policy: cot (no tools) or cot-rag (one search with the question, top results in the prompt; needs --world)." };
        Option<string?> metricRules = MetricRulesOption.Create();
        var topResults = new Option<int>("--rag-results") { Description = "Search results put into the cot-rag prompt.", DefaultValueFactory = _ => 5 };
        var command = new Command("run", "Run the research agent on every question of a dataset into a run directory (resumable), score it and write its report.")
        {
            data, outDir, name, sources, limit, perSource, seed, expert, noisy,
        };
        policy.AddTo(command);
        tools.AddTo(command, remote: true);
        foreach (Option option in new Option[] { concurrency, samples, baseline, topResults })
        {
            command.Options.Add(option);
        }

        judge.AddTo(command);
        command.Options.Add(metricRules);
        otlp.AddTo(command);
        command.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(parse.InvocationConfiguration.Error, async () =>
        {
            TextWriter output = parse.InvocationConfiguration.Output;
            var log = ProgressConsole.For(parse);
            string dataPath = parse.GetRequiredValue(data).FullName;
            var disposables = new List<object>();
            using OtlpExport? telemetry = otlp.Start(parse, "deepresearcher-eval");
            DirectoryInfo? expertDir = parse.GetValue(expert);
            DirectoryInfo? checkpointDir = parse.GetValue(policy.Checkpoint);
            policy.CheckExclusive(parse);
            if ((expertDir is null ? 0 : 1) + (policy.Endpoint.IsGiven(parse) ? 1 : 0) + (checkpointDir is null ? 0 : 1) != 1)
            {
                throw new UsageException("give exactly one policy: --model-url URL --model NAME, --checkpoint DIR, or --expert WORLD_DIR");
            }

            OpenAIChatModelOptions? endpoint = policy.ReadEndpoint(parse);
            BaselineKind? baselineKind = parse.GetValue(baseline) switch
            {
                null => null,
                "cot" => BaselineKind.Cot,
                "cot-rag" => BaselineKind.CotRag,
                string other => throw new UsageException($"--baseline '{other}' is not one of cot, cot-rag"),
            };
            if (baselineKind is not null && expertDir is not null)
            {
                throw new UsageException("--baseline runs a model: give --model-url and --model (or --checkpoint), not --expert");
            }

            if (baselineKind == BaselineKind.CotRag && parse.GetValue(tools.World) is null && !tools.IsRemote(parse))
            {
                throw new UsageException("--baseline cot-rag searches once per question: give --world DIR (or --tools-url URL, --tools-mcp URL)");
            }

            OpenAIChatModelOptions? judgeEndpoint = judge.Read(parse);
            Core.Rewards.MetricRules rules = MetricRulesOption.Parse(parse.GetValue(metricRules));
            // The expert's world is the tools' world unless --world names another.
            DirectoryInfo? worldDir = parse.GetValue(tools.World) ?? expertDir;
            (ToolboxSpec spec, IAsyncDisposable? renderer) = await tools.ToSpecAsync(parse);
            await using IAsyncDisposable? rendering = renderer;
            if (!spec.IsRemote)
            {
                spec = spec with { WorldDir = worldDir?.FullName };
            }

            if (baselineKind != BaselineKind.Cot && expertDir is null && tools.HasNoSearch(parse))
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync(ToolOptions.NoSearchWarning);
            }

            int sampleCount = parse.GetValue(samples);
            if (sampleCount < 1 || parse.GetValue(concurrency) < 1)
            {
                throw new UsageException("--samples and --concurrency must be at least 1");
            }

            var selection = new QuestionSelection
            {
                Sources = parse.GetValue(sources) is { } list ? [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)] : [],
                PerSource = parse.GetValue(perSource),
                Seed = parse.GetValue(seed),
                Limit = parse.GetValue(limit),
            };
            IReadOnlyList<QaExample> examples = selection.Apply(await QaDataset.LoadAsync(dataPath, cancellationToken));
            if (examples.Count == 0)
            {
                throw new UsageException($"no questions left in {dataPath} after --sources/--per-source/--limit");
            }

            float temp = parse.GetValue(policy.Temperature) ?? (sampleCount > 1 ? 1.0f : 0.0f);
            // A checkpoint's own settings (the ones it was trained and scored in) unless a flag says otherwise.
            (AgentSettings? trained, ResolvedAgentSettings resolved) = await policy.ResolveSettingsAsync(parse, tools, cancellationToken);
            if (policy.SettingsDirectory(parse) is { } settingsDir)
            {
                log.Report(trained is null
                    ? $"{settingsDir.FullName} has no {AgentSettings.FileName}: the original's agent settings unless flags say otherwise (a model trained by 'train' needs --compact and its turn and token limits)"
                    : $"agent settings from {Path.Combine(settingsDir.FullName, AgentSettings.FileName)} ({resolved.Settings.PromptProfile} prompt, {resolved.Settings.ToolProfile()} tool profile, {resolved.Settings.MaxTurns} turns of {resolved.Settings.MaxTokensPerTurn} tokens), flags on top");
            }

            var agentOptions = resolved.Settings.ApplyTo(new ResearchAgentOptions
            {
                Today = expertDir is null ? null : new DateOnly(2026, 1, 1),
                Sampling = new SamplingOptions { Temperature = temp, TopP = parse.GetValue(policy.TopP), Seed = parse.GetValue(seed) },
            });
            if (expertDir is not null)
            {
                // The expert reads long pages segment by segment; its context is not a model's.
                agentOptions = agentOptions with { MaxContextTokens = 1_000_000 };
            }

            ToolboxProfile toolProfile = resolved.Settings.ToolProfile();
            if (!spec.IsRemote)
            {
                spec = spec with { Profile = toolProfile };
            }
            else if (toolProfile != ToolboxProfile.Default)
            {
                log.Report($"the tool server's own profile decides what the policy reads; this policy expects the {toolProfile} tool profile (serve it with 'tools serve --tool-profile {toolProfile}')");
            }

            await using var resources = new ComposedToolbox(new UnconfiguredToolbox(), string.Empty, disposables);

            PolicyFactory policyFactory;
            string modelLabel;
            if (checkpointDir is not null)
            {
                CheckpointPolicy local = await CheckpointPolicy.StartAsync(checkpointDir, parse.GetValue(concurrency), agentOptions.MaxTokensPerTurn, parse.InvocationConfiguration.Error, cancellationToken);
                disposables.Add(local);
                log.Report($"model server for {checkpointDir.FullName} at {local.ApiBaseUrl.AbsoluteUri.TrimEnd('/')} (in process)");
                agentOptions = local.FitContext(agentOptions, parse.InvocationConfiguration.Error);
                IChatModel checkpointPolicy = baselineKind is null ? local.Model : local.Chat;
                policyFactory = (_, _) => checkpointPolicy;
                modelLabel = "checkpoint " + checkpointDir.FullName;
            }
            else if (expertDir is not null)
            {
                policyFactory = await ExpertPolicyAsync(dataPath, examples, parse.GetValue(noisy), (ulong)parse.GetValue(seed), cancellationToken);
                modelLabel = parse.GetValue(noisy) ? "expert-demonstrator (noisy)" : "expert-demonstrator";
            }
            else
            {
                var chat = new OpenAIChatModel(endpoint!);
                policyFactory = (_, _) => chat;
                string modelName = endpoint!.Model;
                modelLabel = baselineKind switch { BaselineKind.Cot => $"{modelName} (CoT)", BaselineKind.CotRag => $"{modelName} (CoT+RAG)", _ => modelName };
            }

            ComposedToolbox composed = await ToolboxComposer.CreateAsync(spec, cancellationToken);
            await using (composed)
            {
                IToolbox toolbox = composed.Toolbox;
                if (!tools.HasNoSearch(parse) || worldDir is not null)
                {
                    log.Report($"tools: {composed.Description}");
                }

                string root = parse.GetRequiredValue(outDir).FullName;
                var manifest = new RunManifest
                {
                    Name = parse.GetValue(name) ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(root)),
                    Kind = "eval",
                    Model = modelLabel,
                    Data = dataPath,
                    Tools = spec.ReplayDir is { } replayed ? "replay:" + replayed
                        : spec.McpServer is { } mcpServer ? "mcp:" + mcpServer
                        : spec.IsRemote ? "remote:" + string.Join(",", spec.ToolServers)
                        : worldDir is null && spec.Search is { } searched ? "search:" + searched
                        : baselineKind == BaselineKind.Cot || worldDir is null ? "none" : "world:" + worldDir.FullName,
                    Config = new JsonObject
                    {
                        ["questions"] = examples.Count,
                        ["samples"] = sampleCount,
                        ["temperature"] = temp,
                        ["top_p"] = parse.GetValue(policy.TopP),
                        ["seed"] = parse.GetValue(seed),
                        ["max_turns"] = agentOptions.MaxTurns,
                        ["max_tokens_per_turn"] = agentOptions.MaxTokensPerTurn,
                        ["max_context_tokens"] = agentOptions.MaxContextTokens,
                        ["template"] = agentOptions.Template.Name,
                        ["observation_format"] = agentOptions.ObservationFormat.ToString(),
                        ["prompt_profile"] = resolved.Settings.PromptProfile,
                        ["tool_profile"] = spec.IsRemote ? "tool server's" : toolProfile.Name,
                        ["results_per_query"] = spec.IsRemote ? null : toolProfile.ResultsPerQuery,
                        ["max_snippet_chars"] = spec.IsRemote ? null : toolProfile.MaxSnippetChars,
                        ["reader_sentences_per_segment"] = spec.IsRemote ? null : toolProfile.ReaderSentencesPerSegment,
                        ["tool_timeout_s"] = agentOptions.ToolTimeout.TotalSeconds,
                        ["agent_settings_from"] = resolved.SourcesJson(),
                        ["sources"] = parse.GetValue(sources),
                        ["per_source"] = parse.GetValue(perSource),
                        ["limit"] = parse.GetValue(limit),
                    },
                };
                log.Report($"{examples.Count} questions × {sampleCount} sample(s), concurrency {parse.GetValue(concurrency)}, into {root}");
                var runOptions = new EvaluationRunOptions { Concurrency = parse.GetValue(concurrency), Samples = sampleCount, Agent = agentOptions, MetricRules = rules };
                IProgress<EvaluationProgress> progress = ProgressOf(log, sampleCount == 1 ? "question" : "sample");
                EvaluationRunner runner;
                if (baselineKind is BaselineKind kind)
                {
                    var cot = new CotBaseline(policyFactory(examples[0], 0), kind, kind == BaselineKind.CotRag ? toolbox : null, parse.GetValue(topResults),
                        agentOptions.Sampling with { MaxTokens = agentOptions.MaxTokensPerTurn });
                    runner = new EvaluationRunner(cot.RunAsync, runOptions) { Progress = progress };
                    manifest.Config["baseline"] = parse.GetValue(baseline);
                }
                else
                {
                    runner = new EvaluationRunner(policyFactory, toolbox, runOptions) { Progress = progress };
                }

                EvaluationRunSummary summary = await runner.RunAsync(new RunDirectory(root), manifest, examples, log, cancellationToken);
                log.Report(string.Create(CultureInfo.InvariantCulture,
                    $"done in {summary.Elapsed.TotalSeconds:0.0}s: {summary.Completed} run, {summary.Skipped} resumed from disk, {summary.ModelFailures} model failures"));

                if (judgeEndpoint is not null)
                {
                    var judgeClient = new OpenAIChatModel(judgeEndpoint);
                    var run = new RunDirectory(root);
                    await using JudgeCache verdicts = await JudgeCache.OpenAsync(run.JudgeCachePath, cancellationToken);
                    RunJudgingSummary judged = await RunJudging.JudgeAsync(run, new MbeJudge(judgeClient, verdicts), 16, rejudge: false, log, cancellationToken);
                    log.Report($"judged {judged.Judged}: {judged.JudgeCalls} judge calls, {judged.FromCache} cached, {judged.Failures} judge failures");
                }

                (RunReportData report, string html, _) = await RunReport.WriteAsync(root, cancellationToken);
                await output.WriteAsync(TextTable(report));
                log.Report($"report: {html}");
                if (summary.ModelFailures > 0)
                {
                    await parse.InvocationConfiguration.Error.WriteLineAsync($"error: {summary.ModelFailures} trajectories failed on model errors and were not recorded; rerun the same command to retry them");
                    return 1;
                }

                return 0;
            }
        }));
        return command;
    }

    /// <summary>The run's counts as the console's progress, with the mean F1 of this session's trajectories so far.</summary>
    private static SynchronousProgress<EvaluationProgress> ProgressOf(ProgressConsole console, string unit)
    {
        double f1Sum = 0;
        int scored = 0;
        return new SynchronousProgress<EvaluationProgress>(p =>
        {
            if (p.Latest is { } result)
            {
                f1Sum += result.F1;
                scored++;
            }

            console.Report(new ProgressUpdate("eval", p.Done, p.Total, unit, scored == 0 ? string.Empty : FormattableString.Invariant($"F1 {f1Sum / scored * 100:F1}")));
        });
    }

    /// <summary>The same table as <c>eval score</c> prints, from the run's results (avg over samples).</summary>
    internal static string TextTable(RunReportData report)
    {
        static MetricSummary Summary(ScoreRow r) => new(r.Samples, r.Em, r.F1, r.SetF1, r.CoverEm);
        string table = new ScoreReport([.. report.BySource.Select(r => (r.Group, Summary(r)))], Summary(report.Overall)) { Rules = report.Manifest.RecordedMetricRules() }.ToTable();
        return report.Overall.Mbe is double mbe
            ? table + string.Create(CultureInfo.InvariantCulture, $"MBE {mbe * 100:0.0} over {report.Overall.Judged} judged\n")
            : table;
    }

    private static async Task<PolicyFactory> ExpertPolicyAsync(string dataPath, IReadOnlyList<QaExample> examples, bool noisy, ulong seed, CancellationToken cancellationToken)
    {
        IReadOnlyList<WorldQuestion> questions;
        try
        {
            questions = await QuestionJsonl.ReadAsync(dataPath, cancellationToken);
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidDataException or KeyNotFoundException or FormatException)
        {
            throw new UsageException($"--expert needs world questions (a world's questions/*.jsonl with their supporting paths); {dataPath} is not one: {ex.Message}");
        }

        var byId = questions.ToDictionary(q => q.Id, StringComparer.Ordinal);
        string? missing = examples.Select(e => e.Id).FirstOrDefault(id => !byId.ContainsKey(id));
        if (missing is not null)
        {
            throw new UsageException($"--expert: question '{missing}' of {dataPath} is not a world question");
        }

        ExpertNoise noise = noisy ? ExpertNoise.Varied : ExpertNoise.None;
        return (example, sample) => new ExpertDemonstrator(byId[example.Id], noise, seed + (ulong)sample);
    }
}
