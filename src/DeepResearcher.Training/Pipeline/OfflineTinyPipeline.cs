using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using DeepResearcher.Core.Agent;
using DeepResearcher.Core.Protocol;
using DeepResearcher.Core.Rewards;
using DeepResearcher.Core.Trajectories;
using DeepResearcher.Engine.Checkpoints;
using DeepResearcher.Engine.Model;
using DeepResearcher.Engine.Optim;
using DeepResearcher.Engine.Sampling;
using DeepResearcher.Engine.Tokenization;
using DeepResearcher.Evaluation.Runs;
using DeepResearcher.Server.World;
using DeepResearcher.Training.Configuration;
using DeepResearcher.Training.Grpo;
using DeepResearcher.Training.Policy;
using DeepResearcher.Training.Rollouts;
using DeepResearcher.Training.Sft;
using DeepResearcher.Web.Reading;
using DeepResearcher.Web.Toolbox;
using DeepResearcher.World.Building;
using DeepResearcher.World.Demonstration;
using DeepResearcher.World.Generation;
using DeepResearcher.World.Questions;
using DeepResearcher.World.Storage;

namespace DeepResearcher.Training.Pipeline;

/// <summary>
/// The offline main job: in an offline world, train a BPE tokenizer on expert demonstrations, initialise a small
/// Qwen2-architecture model, warm-start it with SFT on the demonstrations, then train it with GRPO through the real
/// tools (loopback HTTP, Serper-compatible search, fetcher, extractive reader), evaluating on the held-out test split
/// before and after. Writes a run directory (metrics, groups, trajectories, results, report) and a checkpoint.
/// </summary>
public sealed class OfflineTinyPipeline(TrainingConfig config, string outDir, IProgress<string> log)
{
    /// <summary>A short protocol prompt: a model trained from scratch has no use for the original's long instructions.</summary>
    public const string CompactSystemPrompt =
        "Research the question. Each turn: <think>reasoning</think>, then <tool_call>{\"name\": \"web_search\", \"arguments\": {\"query\": [...]}}</tool_call>, <tool_call>{\"name\": \"browse_webpage\", \"arguments\": {\"url_list\": [...]}}</tool_call> or <answer>short answer</answer>.";

    /// <summary>The chat and protocol tokens a tokenizer trained for the research protocol must keep whole.</summary>
    public static IReadOnlyList<string> ChatTokens { get; } =
        ["<|im_start|>", "<|im_end|>", "<think>", "</think>", "<tool_call>", "</tool_call>", "<answer>", "</answer>", "<tool_response>", "</tool_response>"];

    public async Task<OfflineTinyResult> RunAsync(CancellationToken cancellationToken)
    {
        TrainingConfigFile.Validate(config);
        var total = Stopwatch.StartNew();
        Directory.CreateDirectory(outDir);
        var run = new RunDirectory(Path.Combine(outDir, "run"));
        Directory.CreateDirectory(run.Root);

        // 1. The world.
        string worldDir = config.World.Dir.Length > 0 ? config.World.Dir : Path.Combine(outDir, "world");
        if (!File.Exists(Path.Combine(worldDir, WorldManifest.FileName)))
        {
            log.Report($"building a {config.World.Size} world (seed {config.World.Seed}) in {worldDir}");
            await WorldBuilder.BuildAsync(new WorldBuildOptions { OutDir = worldDir, Seed = config.World.Seed, Size = WorldSizes.Parse(config.World.Size) }, null, cancellationToken);
        }

        await using OfflineWorld world = await OfflineWorld.StartAsync(worldDir, searchOverHttp: true, cancellationToken);
        IReadOnlyList<WorldQuestion> train = await QuestionJsonl.ReadAsync(WorldFiles.FullPath(worldDir, WorldFiles.QuestionFile(QuestionSplit.Train)), cancellationToken);
        IReadOnlyList<WorldQuestion> test = await QuestionJsonl.ReadAsync(WorldFiles.FullPath(worldDir, WorldFiles.QuestionFile(QuestionSplit.Test)), cancellationToken);
        test = [.. test.Take(config.Data.EvalQuestions > 0 ? config.Data.EvalQuestions : test.Count)];
        var toolboxOptions = new WebToolboxOptions { ResultsPerQuery = 3, MaxSnippetChars = 100 };
        var reader = new ExtractivePageReader(new ExtractivePageReaderOptions { MaxSentencesPerSegment = 2 });
        IToolbox toolbox = world.CreateToolbox(reader, new InMemoryToolStateStore(), toolboxOptions);
        var agentOptions = new ResearchAgentOptions
        {
            SystemPrompt = CompactSystemPrompt,
            ShowToolSchemas = false,
            MaxTurns = config.Data.MaxTurns,
            MaxTokensPerTurn = config.Data.MaxResponseLength,
            MaxContextTokens = config.Data.MaxModelLen,
            OnProtocolError = ProtocolErrorPolicy.Terminate,
            ToolTimeout = TimeSpan.FromSeconds(config.Rollout.ToolTimeout),
            Sampling = new Core.Agent.SamplingOptions { Temperature = config.Rollout.Temperature, TopP = config.Rollout.TopP, TopK = config.Rollout.TopK, Seed = (long)config.Trainer.Seed },
        };
        log.Report($"world at {world.Server.BaseUrl}: {train.Count} train and {test.Count} test questions");

        // 2. Demonstrations (noisy expert, so reformulations and honest give-ups are in them) and a tokenizer trained on their text.
        int demoCount = Math.Min(train.Count, Math.Max(config.Sft.BatchSize * 8, 64));
        List<WorldQuestion> demoQuestions = Shuffle(train, config.Trainer.Seed).Take(demoCount).ToList();
        var texts = new List<string>();
        foreach (WorldQuestion q in demoQuestions)
        {
            Trajectory t = await new ResearchAgent(new ExpertDemonstrator(q, ExpertNoise.Varied, config.Trainer.Seed), toolbox, agentOptions with { MaxContextTokens = int.MaxValue })
                .RunAsync(q.Question, cancellationToken, q.Id, $"demo-text-{q.Id}");
            texts.Add(t.Text());
        }

        BpeTokenizer bpe = BpeTrainer.Train(texts, config.Model.VocabSize, ChatTokens);
        var tokenizer = new EngineTokenizer(bpe);
        log.Report($"tokenizer: {bpe.VocabSize} tokens trained on {texts.Count} demonstrations");

        var demos = new List<PolicySequence>();
        foreach (WorldQuestion q in demoQuestions)
        {
            var expert = new TokenizingChatModel(new ExpertDemonstrator(q, ExpertNoise.Varied, config.Trainer.Seed), tokenizer);
            Trajectory t = await new ResearchAgent(expert, toolbox, agentOptions with { MaxContextTokens = int.MaxValue }).RunAsync(q.Question, cancellationToken, q.Id, $"demo-{q.Id}");
            demos.Add(PolicySequence.FromTrajectory(t, 1.0));
        }

        log.Report($"demonstrations: {demos.Count} trajectories, {demos.Sum(d => d.Length)} tokens, {demos.Sum(d => d.PolicyTokens)} policy tokens");

        // 3. The model, from scratch.
        var modelConfig = new TransformerConfig
        {
            VocabSize = bpe.VocabSize,
            HiddenSize = config.Model.HiddenSize,
            IntermediateSize = config.Model.IntermediateSize,
            NumLayers = config.Model.NumLayers,
            NumHeads = config.Model.NumHeads,
            NumKeyValueHeads = config.Model.NumKvHeads,
            TieWordEmbeddings = true,
            QkvBias = true,
            RopeTheta = 10000,
            MaxPositionEmbeddings = config.Data.MaxModelLen,
        };
        TransformerModel model = TransformerModel.Create(modelConfig);
        ModelInitializer.Initialize(model, config.Trainer.Seed);
        log.Report($"model: {model.Parameters.Sum(p => (long)p.Length):N0} parameters");
        await using var sampler = new ContinuousBatchingSampler(model, bpe, new ContinuousBatchingOptions { MaxBatchSize = 32, MaxTotalTokens = 1 << 20 });
        var policy = new EnginePolicy(sampler, tokenizer, name: "offline-tiny");

        PolicyEvaluation initial = await EvaluateAsync(policy, toolbox, agentOptions, test, "initial", cancellationToken);
        log.Report($"eval before training: {initial}");

        // 4. SFT warm start.
        var sftOptimizer = new AdamW(model.TrainableParameters, new AdamWOptions { WeightDecay = (float)config.Actor.WeightDecay });
        var sft = new SupervisedTrainer(new PolicyUpdate(model, sftOptimizer, config.Actor.MicroBatchTokens, (float)config.Actor.GradClip));
        var order = new Random(unchecked((int)config.Trainer.Seed));
        for (int step = 0; step < config.Sft.Steps; step++)
        {
            List<PolicySequence> batch = [.. Enumerable.Range(0, config.Sft.BatchSize).Select(_ => demos[order.Next(demos.Count)])];
            double loss = sft.Step(batch, (float)config.Sft.Lr);
            if (step % 10 == 0 || step == config.Sft.Steps - 1)
            {
                log.Report(FormattableString.Invariant($"sft step {step + 1}/{config.Sft.Steps}: loss {loss:F3}"));
            }
        }

        sampler.RefreshWeights();
        PolicyEvaluation afterSft = await EvaluateAsync(policy, toolbox, agentOptions, test, "after-sft", cancellationToken);
        log.Report($"eval after SFT: {afterSft}");

        // 5. GRPO, with the SFT policy as the frozen reference.
        TransformerModel? reference = null;
        if (config.Actor.KlCoef > 0)
        {
            reference = TransformerModel.Create(modelConfig);
            foreach ((Parameter target, Parameter source) in reference.Parameters.Zip(model.Parameters))
            {
                source.Data.CopyTo(target.Data, 0);
            }
        }

        var optimizer = new AdamW(model.TrainableParameters, new AdamWOptions { WeightDecay = (float)config.Actor.WeightDecay });
        var update = new PolicyUpdate(model, optimizer, config.Actor.MicroBatchTokens, (float)config.Actor.GradClip);
        var grpo = new GrpoTrainer(update, reference, new GrpoTrainerOptions
        {
            Loss = new GrpoLossOptions
            {
                ClipLow = config.Actor.ClipRatio,
                ClipHigh = config.Actor.ClipRatioHigh,
                KlCoefficient = config.Actor.KlCoef,
                Aggregation = config.Actor.LossAggMode == "constant" ? LossAggregation.ConstantNormalizer : LossAggregation.TokenMean,
                MaxResponseTokens = config.Data.MaxResponseLength * config.Data.MaxTurns,
            },
            PpoEpochs = config.Actor.PpoEpochs,
            MiniBatchSize = config.Actor.PpoMiniBatchSize,
            DropZeroVarianceGroups = config.Actor.DropZeroVarianceGroups,
        });
        var runner = new RolloutRunner(policy, toolbox, new RolloutOptions
        {
            GroupSize = config.Rollout.N,
            Agent = agentOptions,
            Normalization = config.Actor.AdvEstimator == "dr_grpo" ? AdvantageNormalization.MeanOnly : AdvantageNormalization.MeanStd,
        });
        var schedule = config.Actor.LrSchedule == "cosine"
            ? LearningRateSchedule.WarmupCosine((float)config.Actor.Lr, config.Actor.WarmupSteps, config.Trainer.TotalSteps)
            : LearningRateSchedule.Constant((float)config.Actor.Lr);
        await new RunManifest
        {
            Name = Path.GetFileName(Path.GetFullPath(outDir)),
            Kind = "train",
            Model = "offline-tiny (from scratch)",
            Data = worldDir,
            Tools = $"offline world {world.Server.BaseUrl}",
            Config = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(config, new System.Text.Json.JsonSerializerOptions { PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower }))!.AsObject(),
        }.SaveAsync(run.ManifestPath, cancellationToken);
        await using var metrics = new JsonlAppender(run.MetricsPath);
        await using var groupsFile = new JsonlAppender(run.GroupsPath);
        await using var trajectoriesFile = new JsonlAppender(run.TrajectoriesPath);

        double firstReward = double.NaN, lastReward = double.NaN;
        List<WorldQuestion> pool = Shuffle(train, config.Trainer.Seed + 1).ToList();
        for (int step = 1; step <= config.Trainer.TotalSteps; step++)
        {
            var clock = Stopwatch.StartNew();
            List<RolloutQuestion> batch = [.. Enumerable.Range(0, config.Data.TrainBatchSize)
                .Select(i => pool[((step - 1) * config.Data.TrainBatchSize + i) % pool.Count])
                .Select(q => new RolloutQuestion(q.Id, q.Question, q.Answers) { Hops = q.Hops })];
            IReadOnlyList<RolloutGroup> groups = await runner.RunAsync(batch, step, cancellationToken);
            double rolloutSeconds = clock.Elapsed.TotalSeconds;
            GrpoStepStats stats = grpo.Step(groups, schedule.At(step - 1));
            sampler.RefreshWeights();
            foreach (string id in groups.SelectMany(g => g.Trajectories).Select(t => t.Id))
            {
                sampler.ReleaseConversation(id);
            }

            List<Trajectory> all = [.. groups.SelectMany(g => g.Trajectories)];
            double[] rewards = [.. groups.SelectMany(g => g.Rewards)];
            double rewardMean = rewards.Average();
            firstReward = double.IsNaN(firstReward) ? rewardMean : firstReward;
            lastReward = rewardMean;
            var line = new JsonObject
            {
                ["step"] = step,
                ["reward_mean"] = rewardMean,
                ["reward_std"] = Std(rewards),
                ["f1"] = all.Average(t => QaMetrics.SetF1(t.FinalAnswer ?? string.Empty, AnswersOf(t, groups))),
                ["format_error_rate"] = all.Average(t => t.Termination is TerminationReason.ProtocolError or TerminationReason.MaxTurns ? 1.0 : 0.0),
                ["answer_rate"] = all.Average(t => t.Termination == TerminationReason.Answered ? 1.0 : 0.0),
                ["searches"] = all.Average(t => (double)t.ToolCallCount(ResearchTools.WebSearchName)),
                ["browses"] = all.Average(t => (double)t.ToolCallCount(ResearchTools.BrowseWebpageName)),
                ["turns"] = all.Average(t => (double)t.Turns.Count),
                ["response_tokens"] = all.Average(t => (double)t.Usage.CompletionTokens),
                ["kl"] = stats.Kl,
                ["clip_fraction"] = stats.ClipFraction,
                ["grad_norm"] = stats.GradNorm,
                ["lr"] = schedule.At(step - 1),
                ["loss"] = stats.Loss,
                ["dropped_groups"] = stats.DroppedGroups,
                ["time_rollout_s"] = rolloutSeconds,
                ["time_update_s"] = clock.Elapsed.TotalSeconds - rolloutSeconds,
            };
            await metrics.AppendAsync(line.ToJsonString(), cancellationToken);
            foreach (RolloutGroup group in groups)
            {
                await groupsFile.AppendAsync(new JsonObject
                {
                    ["step"] = step,
                    ["question_id"] = group.Question.Id,
                    ["trajectory_ids"] = new JsonArray([.. group.Trajectories.Select(t => (JsonNode)t.Id)]),
                    ["rewards"] = new JsonArray([.. group.Rewards.Select(r => (JsonNode)r)]),
                    ["advantages"] = new JsonArray([.. group.Advantages.Select(a => (JsonNode)a)]),
                }.ToJsonString(), cancellationToken);
                foreach (Trajectory t in group.Trajectories)
                {
                    await trajectoriesFile.AppendAsync(TrajectoryJson.Serialize(t), cancellationToken);
                }
            }

            log.Report(FormattableString.Invariant(
                $"grpo step {step}/{config.Trainer.TotalSteps}: reward {rewardMean:F3} ± {Std(rewards):F3}, answered {line["answer_rate"]!.GetValue<double>() * 100:F0} %, tool calls {line["searches"]!.GetValue<double>() + line["browses"]!.GetValue<double>():F2}, kl {stats.Kl:F4}, clip {stats.ClipFraction:F3}, |g| {stats.GradNorm:F2}, {clock.Elapsed.TotalSeconds:F1} s"));
        }

        PolicyEvaluation afterGrpo = await EvaluateAsync(policy, toolbox, agentOptions, test, "after-grpo", cancellationToken, run);
        log.Report($"eval after GRPO: {afterGrpo}");

        string checkpoint = Path.Combine(outDir, "checkpoint");
        await HuggingFaceCheckpoint.SaveAsync(model, checkpoint, SafetensorsDType.F32, null, cancellationToken);
        await bpe.SaveAsync(Path.Combine(checkpoint, "tokenizer.json"), cancellationToken);
        (_, string html, _) = await DeepResearcher.Evaluation.Reporting.RunReport.WriteAsync(run.Root, cancellationToken);
        log.Report($"done in {total.Elapsed.TotalMinutes:F1} min; checkpoint {checkpoint}; report {html}");
        return new OfflineTinyResult(initial, afterSft, afterGrpo, firstReward, lastReward, run.Root, checkpoint);
    }

    private static IReadOnlyList<string> AnswersOf(Trajectory t, IReadOnlyList<RolloutGroup> groups)
        => groups.First(g => g.Question.Id == t.QuestionId).Question.Answers;

    /// <param name="results">When given, the evaluation's per-question results go into its results.jsonl (for the report).</param>
    private static async Task<PolicyEvaluation> EvaluateAsync(
        EnginePolicy policy, IToolbox toolbox, ResearchAgentOptions options, IReadOnlyList<WorldQuestion> questions, string tag, CancellationToken cancellationToken, RunDirectory? results = null)
    {
        var agent = new ResearchAgent(policy, toolbox, options with { Sampling = options.Sampling with { Temperature = 0 } });
        Trajectory[] trajectories = await Task.WhenAll(questions.Select(q => agent.RunAsync(q.Question, cancellationToken, q.Id, $"eval-{tag}-{q.Id}")));
        if (results is not null)
        {
            await DeepResearcher.Evaluation.Runs.AtomicFile.WriteAllLinesAsync(results.ResultsPath, questions.Select((q, i) =>
                DeepResearcher.Evaluation.Running.RunScoring.ToResult(
                    new DeepResearcher.Evaluation.Datasets.QaExample(q.Id, q.Source, q.Question, q.Answers) { Hops = q.Hops, Type = QuestionTypes.WireName(q.Type) },
                    0,
                    trajectories[i]).ToJsonLine()), cancellationToken);
        }

        double Mean(Func<int, double> f) => questions.Count == 0 ? 0 : Enumerable.Range(0, questions.Count).Average(f);
        return new PolicyEvaluation(
            questions.Count,
            Mean(i => QaMetrics.SetF1(trajectories[i].FinalAnswer ?? string.Empty, questions[i].Answers)),
            Mean(i => QaMetrics.F1(trajectories[i].FinalAnswer ?? string.Empty, questions[i].Answers)),
            Mean(i => QaMetrics.ExactMatch(trajectories[i].FinalAnswer ?? string.Empty, questions[i].Answers)),
            Mean(i => trajectories[i].Termination is TerminationReason.ProtocolError ? 1 : 0),
            Mean(i => trajectories[i].Termination == TerminationReason.Answered ? 1 : 0),
            Mean(i => trajectories[i].ToolCallCount()));
    }

    private static IEnumerable<WorldQuestion> Shuffle(IReadOnlyList<WorldQuestion> items, ulong seed)
    {
        var list = items.ToList();
        var random = new Random(unchecked((int)seed));
        for (int i = list.Count - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }

        return list;
    }

    private static double Std(double[] values)
    {
        double mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / Math.Max(1, values.Length));
    }
}
