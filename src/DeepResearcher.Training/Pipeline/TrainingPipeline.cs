using System.Diagnostics;
using System.Text.Json.Nodes;
using DeepResearcher.Core.Agent;
using DeepResearcher.Engine.Checkpoints;
using DeepResearcher.Engine.Model;
using DeepResearcher.Engine.Optim;
using DeepResearcher.Engine.Sampling;
using DeepResearcher.Engine.Tokenization;
using DeepResearcher.ChatModels;
using DeepResearcher.Evaluation.Judging;
using DeepResearcher.Evaluation.Runs;
using DeepResearcher.Environments.World;
using DeepResearcher.Training.Checkpoints;
using DeepResearcher.Training.Configuration;
using DeepResearcher.Training.Data;
using DeepResearcher.Training.Evaluations;
using DeepResearcher.Training.Grpo;
using DeepResearcher.Training.Policy;
using DeepResearcher.Training.Rewards;
using DeepResearcher.Training.Rollouts;
using DeepResearcher.Training.Sft;
using DeepResearcher.Web.Caching;
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
/// tools (loopback HTTP, Serper-compatible search behind a cache, fetcher, extractive reader), evaluating on the
/// held-out test split before and after. Checkpoints (model, optimizer, trainer state) are written atomically every
/// few steps; with <see cref="Resume"/> a killed run continues from the newest one and draws the same batches.
/// </summary>
public sealed class TrainingPipeline(TrainingConfig config, string outDir, IProgress<string> log)
{
    /// <summary>A short protocol prompt: a model trained from scratch has no use for the original's long instructions.</summary>
    public const string CompactSystemPrompt =
        "Research the question. Each turn: <think>reasoning</think>, then <tool_call>{\"name\": \"web_search\", \"arguments\": {\"query\": [...]}}</tool_call>, <tool_call>{\"name\": \"browse_webpage\", \"arguments\": {\"url_list\": [...]}}</tool_call> or <answer>short answer</answer>.";

    /// <summary>The run's effective config, next to the exported checkpoint (provenance; <c>train --config</c> reads it).</summary>
    public const string TrainingConfigFileName = "training_config.yaml";

    /// <summary>The chat and protocol tokens a tokenizer trained for the research protocol must keep whole.</summary>
    public static IReadOnlyList<string> ChatTokens { get; } =
        ["<|im_start|>", "<|im_end|>", "<think>", "</think>", "<tool_call>", "</tool_call>", "<answer>", "</answer>", "<tool_response>", "</tool_response>"];

    /// <summary>Continue from the newest checkpoint in the output directory (a fresh start when there is none).</summary>
    public bool Resume { get; init; }

    /// <summary>Called after each checkpoint is in place, with its stage and step (tests stop a run there).</summary>
    public Action<string, int>? CheckpointWritten { get; init; }

    /// <summary>Step-level progress, for a progress bar.</summary>
    public IProgress<TrainingProgress>? Progress { get; init; }

    public async Task<TrainingResult> RunAsync(CancellationToken cancellationToken)
    {
        await TrainingPreflight.CheckAsync(config, cancellationToken);
        var layout = new TrainingRunLayout(outDir);
        // The reward and the evaluations score alike, so the figures a run reports are on the scale it trained on.
        Core.Rewards.MetricRules metricRules = Core.Rewards.MetricRuleNames.Parse(config.Reward.MetricRules);
        Directory.CreateDirectory(layout.Root);
        var checkpoints = new CheckpointDirectory(layout.Checkpoints, config.Trainer.KeepCheckpoints);
        checkpoints.CleanTemporaries();
        string? latest = checkpoints.Latest();
        if (latest is not null && !Resume)
        {
            throw new ConfigException($"{layout.Root} holds checkpoints of an earlier run (newest: {Path.GetFileName(latest)}); pass --resume to continue it, or choose another --out");
        }

        TrainerState? resumed = latest is null ? null : await TrainingCheckpoint.ReadStateAsync(latest, cancellationToken);
        if (resumed is not null && resumed.Seed != config.Trainer.Seed)
        {
            throw new ConfigException($"{latest} was written by a run with trainer.seed {resumed.Seed}, not {config.Trainer.Seed}; resume with the same config");
        }

        if (Resume)
        {
            log.Report(resumed is null ? "resume: no checkpoint yet, starting afresh" : $"resuming from {latest} ({resumed.Stage} step {resumed.Step})");
        }

        var total = Stopwatch.StartNew();
        double elapsedBefore = resumed?.ElapsedSeconds ?? 0;
        var run = new RunDirectory(layout.Run);
        Directory.CreateDirectory(run.Root);

        // 1. The world, served on a port that stays the same run to run: URLs are part of what the policy reads and writes.
        string worldDir = config.World.Dir.Length > 0 ? config.World.Dir : layout.World;
        if (!File.Exists(Path.Combine(worldDir, WorldManifest.FileName)))
        {
            log.Report($"building a {config.World.Size} world (seed {config.World.Seed}) in {worldDir}");
            await WorldBuilder.BuildAsync(new WorldBuildOptions { OutDir = worldDir, Seed = config.World.Seed, Size = WorldSizes.Parse(config.World.Size) }, null, cancellationToken);
        }

        // URLs name the world's virtual origin, not the server's port: they are part of what the policy reads and writes,
        // and must be the same in this run, on resume and in any later evaluation of the checkpoint.
        await using OfflineWorld world = await OfflineWorld.StartAsync(worldDir, searchOverHttp: true, config.World.Port, cancellationToken);
        IReadOnlyList<WorldQuestion> train = await QuestionJsonl.ReadAsync(WorldFiles.FullPath(worldDir, WorldFiles.QuestionFile(QuestionSplit.Train)), cancellationToken);
        IReadOnlyList<WorldQuestion> test = await QuestionJsonl.ReadAsync(WorldFiles.FullPath(worldDir, WorldFiles.QuestionFile(QuestionSplit.Test)), cancellationToken);
        if (train.Count == 0 || test.Count == 0)
        {
            throw new ConfigException($"{worldDir} has {train.Count} train and {test.Count} test questions; a training run needs both (rebuild the world)");
        }

        test = [.. test.Take(config.Data.EvalQuestions > 0 ? config.Data.EvalQuestions : test.Count)];
        using var searchCache = await SqliteToolCache.OpenAsync(Path.Combine(layout.Root, "search-cache.db"), null, cancellationToken);
        using var search = new CachedSearchProvider(world.Search, searchCache, new CachedSearchOptions { KeyNamespace = "world@" + world.Origin.GetLeftPart(UriPartial.Authority) });
        AgentSettings settings = AgentSettings.ForTraining(config);
        var toolboxOptions = settings.ApplyTo(new WebToolboxOptions());
        var reader = new ExtractivePageReader(settings.ReaderOptions());
        IToolbox toolbox = world.CreateToolbox(reader, new InMemoryToolStateStore(), toolboxOptions, search);
        ResearchAgentOptions agentOptions = settings.ApplyTo(new ResearchAgentOptions
        {
            OnProtocolError = ProtocolErrorPolicy.Terminate,
            Sampling = new Core.Agent.SamplingOptions { Temperature = config.Rollout.Temperature, TopP = config.Rollout.TopP, TopK = config.Rollout.TopK, Seed = (long)config.Trainer.Seed },
        });
        log.Report($"world {world.Origin.GetLeftPart(UriPartial.Authority)} served at {world.Server.BaseUrl}: {train.Count} train and {test.Count} test questions");

        // 2. Demonstrations and the tokenizer: trained on their text for a model from scratch (once: a resumed run
        // reads it back), the checkpoint's own for a pretrained model.
        bool pretrained = config.Model.Path.Length > 0;

        ExpertNoise noise = config.Sft.DemoNoise switch
        {
            "none" => ExpertNoise.None,
            "hasty" => ExpertNoise.Hasty(config.Sft.DemoHastyRate),
            _ => ExpertNoise.Varied,
        };
        List<WorldQuestion> demoQuestions = [.. DataOrder.Shuffle(train, config.Trainer.Seed, "demos").Take(Math.Max(1, config.Sft.NumDemos))];
        var demoOptions = agentOptions with { MaxContextTokens = int.MaxValue };
        BpeTokenizer bpe;
        if (pretrained)
        {
            bpe = await BpeTokenizer.FromTokenizerJsonAsync(Path.Combine(config.Model.Path, TrainingCheckpoint.TokenizerFileName), cancellationToken);
        }
        else if (File.Exists(layout.Tokenizer))
        {
            bpe = await BpeTokenizer.FromTokenizerJsonAsync(layout.Tokenizer, cancellationToken);
            log.Report($"tokenizer: {bpe.VocabSize} tokens, read from {layout.Tokenizer}");
        }
        else
        {
            List<string> texts = config.Sft.Demonstrations.Length > 0
                ? await DemonstrationSet.FileTextsAsync(config.Sft.Demonstrations, cancellationToken)
                : await DemonstrationSet.ExpertTextsAsync(demoQuestions.Take(TokenizerDemos).ToList(), toolbox, demoOptions, noise, config.Trainer.Seed, cancellationToken);
            int demonstrationTexts = texts.Count;
            if (config.Model.TokenizerWorldNames)
            {
                texts.AddRange(WorldNames(world).SelectMany(name => Enumerable.Repeat(name, 3)));
            }

            bpe = BpeTrainer.Train(texts, config.Model.VocabSize, ChatTokens, config.Model.TokenizerSplit == "stable-names" ? BpeTrainer.StableNamesPattern : null);
            await bpe.SaveAsync(layout.Tokenizer, cancellationToken);
            log.Report($"tokenizer: {bpe.VocabSize} tokens trained on {demonstrationTexts} demonstrations{(config.Model.TokenizerWorldNames ? " and the world's names" : string.Empty)}");
        }

        var tokenizer = new EngineTokenizer(bpe);

        // 3. The model (from scratch, or the checkpoint with LoRA adapters) and the policy that samples from it.
        TransformerConfig modelConfig;
        TransformerModel model;
        if (pretrained)
        {
            model = HuggingFaceCheckpoint.Load(config.Model.Path);
            modelConfig = model.Config;
            if (config.Model.Lora)
            {
                var random = new Random(DataOrder.Seed32(config.Trainer.Seed, "lora"));
                foreach (LoraAdapter adapter in model.AttachLora(config.Model.LoraRank, config.Model.LoraAlpha, LoraTargets))
                {
                    adapter.InitializeDefault(random);
                }
            }
        }
        else
        {
            modelConfig = new TransformerConfig
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
            model = TransformerModel.Create(modelConfig);
            ModelInitializer.Initialize(model, config.Trainer.Seed);
        }

        log.Report(FormattableString.Invariant($"model: {model.Parameters.Sum(p => (long)p.Length):N0} parameters, {model.TrainableParameters.Sum(p => (long)p.Length):N0} trained{(model.LoraAdapters.Any() ? $" (LoRA rank {config.Model.LoraRank})" : string.Empty)}"));
        await using var sampler = new ContinuousBatchingSampler(model, bpe, new ContinuousBatchingOptions { MaxBatchSize = 32, MaxTotalTokens = 1 << 20 });
        var policy = new EnginePolicy(sampler, tokenizer, name: pretrained ? Path.GetFileName(Path.TrimEndingDirectorySeparator(config.Model.Path)) : "offline-tiny");

        async Task<PolicyEvaluation> EvaluateOnceAsync(string tag, RunDirectory? results = null, int samples = 0)
        {
            PolicyEvaluation? done = await PolicyEvaluator.LoadAsync(layout.Evaluation(tag), cancellationToken);
            if (done is not null)
            {
                log.Report($"eval {tag}: {done} (from {layout.Evaluation(tag)})");
                return done;
            }

            Progress?.Report(new TrainingProgress("eval", 0, test.Count, tag));
            var clock = Stopwatch.StartNew();
            PolicyEvaluation evaluation = await PolicyEvaluator.EvaluateAsync(
                policy, toolbox, agentOptions, test, tag, samples, cancellationToken, results, metricRules, samples == 0 ? layout.EvaluationRun(tag).TrajectoriesPath : null);
            await PolicyEvaluator.SaveAsync(evaluation, layout.Evaluation(tag), cancellationToken);
            Progress?.Report(new TrainingProgress("eval", test.Count, test.Count, tag));
            log.Report(FormattableString.Invariant($"eval {tag}: {evaluation} ({clock.Elapsed.TotalSeconds:F0} s)"));
            return evaluation;
        }

        var saveOptions = new CheckpointSaveOptions { BaseModelNameOrPath = pretrained ? Path.GetFullPath(config.Model.Path) : null };
        TrainerState Snapshot(string stage, int step, int sftDone) => new()
        {
            Stage = stage,
            Step = step,
            Seed = config.Trainer.Seed,
            DataCursor = stage == "grpo" ? (long)step * config.Data.TrainBatchSize : (long)step * config.Sft.BatchSize,
            SftStepsDone = sftDone,
            ElapsedSeconds = elapsedBefore + total.Elapsed.TotalSeconds,
        };

        async Task SaveCheckpointAsync(string stage, int step, int sftDone, AdamW optimizer)
        {
            string path = checkpoints.PathFor(stage, step);
            await TrainingCheckpoint.SaveAsync(path, model, optimizer, bpe, Snapshot(stage, step, sftDone), saveOptions, cancellationToken);
            checkpoints.Prune();
            log.Report($"checkpoint {Path.GetFileName(path)}");
            CheckpointWritten?.Invoke(stage, step);
        }

        PolicyEvaluation initial = await EvaluateOnceAsync("initial");

        // 4. SFT warm start: the batch of step s is a pure function of (seed, s), so resuming needs only the step.
        int sftDone = resumed?.SftStepsDone ?? 0;
        bool inGrpo = resumed?.Stage == "grpo";
        var sftOptimizer = new AdamW(model.TrainableParameters, new AdamWOptions { WeightDecay = (float)config.Actor.WeightDecay });
        if (resumed?.Stage == "sft")
        {
            await TrainingCheckpoint.LoadAsync(latest!, model, sftOptimizer, cancellationToken);
            sampler.RefreshWeights();
        }

        int pretrainEnd = config.Sft.PretrainSteps;
        int warmSteps = pretrainEnd + config.Sft.Steps;
        if (warmSteps > 0 && !inGrpo && (sftDone < warmSteps || !File.Exists(Path.Combine(layout.Reference, TrainingCheckpoint.StateFileName))))
        {
            List<PolicySequence> demos = config.Sft.Demonstrations.Length > 0
                ? await DemonstrationSet.FromFileAsync(config.Sft.Demonstrations, bpe, cancellationToken)
                : await DemonstrationSet.ExpertSequencesAsync(demoQuestions, toolbox, demoOptions, noise, config.Trainer.Seed, tokenizer, cancellationToken);
            log.Report($"demonstrations: {demos.Count} trajectories, {demos.Sum(d => d.Length):N0} tokens, {demos.Sum(d => d.PolicyTokens):N0} policy tokens");
            // Pretraining steps learn the whole text: the same sequences with every target in the loss.
            List<PolicySequence> wholeText = [.. demos.Select(d => new PolicySequence(d.Inputs, d.Targets, Enumerable.Repeat((byte)1, d.Length).ToArray(), d.OldLogProbs, d.Advantage))];
            var sft = new SupervisedTrainer(new PolicyUpdate(model, sftOptimizer, config.Actor.MicroBatchTokens, (float)config.Actor.GradClip));
            var sftSchedule = config.Sft.LrSchedule == "cosine"
                ? LearningRateSchedule.WarmupCosine((float)config.Sft.Lr, 0, warmSteps, (float)config.Sft.Lr / 10)
                : LearningRateSchedule.Constant((float)config.Sft.Lr);
            var sftClock = Stopwatch.StartNew();
            long sftTokens = 0;
            await using WarmStartLog warmLog = await WarmStartLog.OpenAsync(run, sftDone, cancellationToken);
            for (int step = sftDone + 1; step <= warmSteps; step++)
            {
                string stage = step <= pretrainEnd ? "pretrain" : "sft";
                List<PolicySequence> source = stage == "pretrain" ? wholeText : demos;
                List<PolicySequence> batch = [.. Enumerable.Range(0, config.Sft.BatchSize).Select(i => source[DataOrder.Index(config.Trainer.Seed, "sft", step, i, source.Count)])];
                float sftLr = sftSchedule.At(step - 1);
                double loss = sft.Step(batch, sftLr);
                int batchTokens = batch.Sum(s => s.Length);
                sftTokens += batchTokens;
                await warmLog.AppendAsync(step, stage, loss, sftLr, batchTokens, cancellationToken);
                Progress?.Report(new TrainingProgress(stage, step, warmSteps, FormattableString.Invariant($"loss {loss:F3}")));
                if (step % 10 == 0 || step == warmSteps || step == pretrainEnd)
                {
                    log.Report(FormattableString.Invariant($"{stage} step {step}/{warmSteps}: loss {loss:F3}, {sftTokens / sftClock.Elapsed.TotalSeconds:F0} tokens/s"));
                }

                if ((config.Sft.SaveFreq > 0 && step % config.Sft.SaveFreq == 0) || step == warmSteps)
                {
                    await SaveCheckpointAsync("sft", step, step, sftOptimizer);
                }
            }

            // The frozen KL reference is the policy at the end of SFT.
            await TrainingCheckpoint.SaveAsync(layout.Reference, model, null, bpe, Snapshot("sft", warmSteps, warmSteps), saveOptions, cancellationToken);
            sampler.RefreshWeights();
            sftDone = warmSteps;
        }

        if (inGrpo && warmSteps > 0 && (!File.Exists(layout.Evaluation("after-sft")) || (config.Rollout.ValN > 0 && !File.Exists(layout.Evaluation("after-sft-sampled")))))
        {
            // A run resumed in GRPO that lacks an evaluation of the SFT policy (rollout.val_n was raised, or the file
            // was deleted): the frozen reference is that policy. The GRPO checkpoint is loaded over it below.
            await TrainingCheckpoint.LoadAsync(layout.Reference, model, null, cancellationToken);
            sampler.RefreshWeights();
        }

        PolicyEvaluation afterSft = warmSteps > 0 ? await EvaluateOnceAsync("after-sft") : initial;
        PolicyEvaluation? sampledAfterSft = config.Rollout.ValN > 0 ? await EvaluateOnceAsync("after-sft-sampled", layout.EvaluationRun("after-sft-sampled"), config.Rollout.ValN) : null;

        // 5. GRPO, with the policy at the end of SFT (or the initial model) as the frozen reference.
        TransformerModel? reference = null;
        if (config.Actor.KlCoef > 0)
        {
            bool referenceSaved = File.Exists(Path.Combine(layout.Reference, TrainingCheckpoint.StateFileName));
            if (pretrained)
            {
                reference = HuggingFaceCheckpoint.Load(config.Model.Path);
                if (config.Model.Lora)
                {
                    // Adapters start at zero (B = 0): until the saved ones are loaded the reference is the checkpoint itself.
                    reference.AttachLora(config.Model.LoraRank, config.Model.LoraAlpha, LoraTargets);
                }
            }
            else
            {
                reference = TransformerModel.Create(modelConfig);
            }

            if (referenceSaved)
            {
                await TrainingCheckpoint.LoadAsync(layout.Reference, reference, null, cancellationToken);
            }
            else if (!pretrained)
            {
                foreach ((Parameter target, Parameter source) in reference.Parameters.Zip(model.Parameters))
                {
                    source.Data.CopyTo(target.Data, 0);
                }
            }
        }

        var optimizer = new AdamW(model.TrainableParameters, new AdamWOptions { WeightDecay = (float)config.Actor.WeightDecay });
        int grpoDone = 0;
        if (inGrpo)
        {
            TrainerState state = await TrainingCheckpoint.LoadAsync(latest!, model, optimizer, cancellationToken);
            grpoDone = state.Step;
            sampler.RefreshWeights();
        }

        var update = new PolicyUpdate(model, optimizer, config.Actor.MicroBatchTokens, (float)config.Actor.GradClip);
        var grpo = new GrpoTrainer(update, reference, new GrpoTrainerOptions
        {
            Loss = new GrpoLossOptions
            {
                ClipLow = config.Actor.ClipRatio,
                ClipHigh = config.Actor.ClipRatioHigh,
                KlCoefficient = config.Actor.KlCoef,
                EntropyCoefficient = config.Actor.EntropyCoeff,
                Aggregation = config.Actor.LossAggMode == "constant" ? LossAggregation.ConstantNormalizer : LossAggregation.TokenMean,
                MaxResponseTokens = config.Data.MaxResponseLength * config.Data.MaxTurns,
            },
            PpoEpochs = config.Actor.PpoEpochs,
            MiniBatchSize = config.Actor.PpoMiniBatchSize,
            DropZeroVarianceGroups = config.Actor.DropZeroVarianceGroups,
        });
        await using JudgeCache? judgeCache = config.Reward.Kind == "judge" ? await JudgeCache.OpenAsync(Path.Combine(layout.Root, "judge-cache.jsonl"), cancellationToken) : null;
        IRolloutReward reward = config.Reward.Kind switch
        {
            "em" => new ExactMatchReward(metricRules),
            "judge" => new JudgeReward(new MbeJudge(
                new OpenAIChatModel(new OpenAIChatModelOptions { BaseUrl = new Uri(config.Reward.JudgeUrl), Model = config.Reward.JudgeModel, ApiKeyEnvironmentVariable = config.Reward.JudgeApiKeyEnv }),
                judgeCache!), metricRules),
            _ => new SetF1Reward(metricRules),
        };
        var runner = new RolloutRunner(policy, toolbox, new RolloutOptions
        {
            Reward = reward,
            GroupSize = config.Rollout.N,
            Agent = agentOptions,
            Normalization = config.Actor.AdvEstimator == "dr_grpo" ? AdvantageNormalization.MeanOnly : AdvantageNormalization.MeanStd,
        });
        var schedule = config.Actor.LrSchedule == "cosine"
            ? LearningRateSchedule.WarmupCosine((float)config.Actor.Lr, config.Actor.WarmupSteps, config.Trainer.TotalSteps)
            : LearningRateSchedule.Constant((float)config.Actor.Lr);
        await new RunManifest
        {
            Name = Path.GetFileName(layout.Root),
            Kind = "train",
            Model = pretrained ? config.Model.Path + (model.LoraAdapters.Any() ? " + LoRA" : string.Empty) : "offline-tiny (from scratch)",
            Data = worldDir,
            Tools = $"offline world {world.Origin.GetLeftPart(UriPartial.Authority)}",
            Config = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(config, new System.Text.Json.JsonSerializerOptions { PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower }))!.AsObject(),
        }.SaveAsync(run.ManifestPath, cancellationToken);

        await using (GrpoRunLog runLog = await GrpoRunLog.OpenAsync(run, grpoDone, cancellationToken))
        {
            List<WorldQuestion> pool = DataOrder.Shuffle(GrpoQuestionPool.Select(train, warmSteps > 0 && config.Sft.Demonstrations.Length == 0 ? demoQuestions : []), config.Trainer.Seed, "grpo");
            for (int step = grpoDone + 1; step <= config.Trainer.TotalSteps; step++)
            {
                var clock = Stopwatch.StartNew();
                List<RolloutQuestion> batch = [.. Enumerable.Range(0, config.Data.TrainBatchSize)
                    .Select(i => pool[(int)(((long)(step - 1) * config.Data.TrainBatchSize + i) % pool.Count)])
                    .Select(q => new RolloutQuestion(q.Id, q.Question, q.Answers) { Hops = q.Hops })];
                SearchCacheStatistics cacheBefore = search.Statistics;
                IReadOnlyList<RolloutGroup> groups = await runner.RunAsync(batch, step, cancellationToken);
                SearchCacheStatistics cacheAfter = search.Statistics;
                double rolloutSeconds = clock.Elapsed.TotalSeconds;
                float lr = schedule.At(step - 1);
                GrpoStepStats stats = grpo.Step(groups, lr);
                sampler.RefreshWeights();
                foreach (string id in groups.SelectMany(g => g.Trajectories).Select(t => t.Id))
                {
                    sampler.ReleaseConversation(id);
                }

                long requests = cacheAfter.Requests - cacheBefore.Requests;
                double hitRate = requests == 0 ? 0 : (double)(cacheAfter.Hits + cacheAfter.Coalesced - cacheBefore.Hits - cacheBefore.Coalesced) / requests;
                GrpoStepMetrics metrics = GrpoStepMetrics.Of(step, groups, stats, lr, rolloutSeconds, clock.Elapsed.TotalSeconds - rolloutSeconds, hitRate, metricRules);
                await runLog.AppendAsync(metrics, groups, cancellationToken);
                Progress?.Report(new TrainingProgress("grpo", step, config.Trainer.TotalSteps, FormattableString.Invariant($"reward {metrics.RewardMean:F3}")));
                log.Report(FormattableString.Invariant(
                    $"grpo step {step}/{config.Trainer.TotalSteps}: reward {metrics.RewardMean:F3} ± {metrics.RewardStd:F3}, f1 {metrics.F1:F3}, answered {metrics.AnswerRate * 100:F0} %, tool calls {metrics.ToolCalls:F2}, kl {stats.Kl:F4}, entropy {stats.Entropy:F3}, clip {stats.ClipFraction:F3}, |g| {stats.GradNorm:F2}, rollout {rolloutSeconds:F1} s + update {metrics.TimeUpdateSeconds:F1} s"));
                if ((config.Trainer.SaveFreq > 0 && step % config.Trainer.SaveFreq == 0) || step == config.Trainer.TotalSteps)
                {
                    await SaveCheckpointAsync("grpo", step, sftDone, optimizer);
                }
            }
        }

        PolicyEvaluation afterGrpo = await EvaluateOnceAsync("after-grpo", run);
        PolicyEvaluation? sampledAfterGrpo = config.Rollout.ValN > 0 ? await EvaluateOnceAsync("after-grpo-sampled", layout.EvaluationRun("after-grpo-sampled"), config.Rollout.ValN) : null;

        string checkpoint = layout.FinalCheckpoint;
        if (model.LoraAdapters.Any())
        {
            // A PEFT adapter next to its base: what peft.PeftModel.from_pretrained(base, dir) opens.
            await LoraCheckpoint.SaveAsync(model, checkpoint, Path.GetFullPath(config.Model.Path), cancellationToken);
        }
        else
        {
            await HuggingFaceCheckpoint.SaveAsync(model, checkpoint, SafetensorsDType.F32, null, cancellationToken);
        }

        await bpe.SaveAsync(Path.Combine(checkpoint, "tokenizer.json"), cancellationToken);
        List<(string, PolicyEvaluation)> stages = [("initial", initial)];
        if (warmSteps > 0)
        {
            stages.Add(("after-sft", afterSft));
        }

        stages.AddRange(new[] { ("after-sft-sampled", sampledAfterSft), ("after-grpo", afterGrpo), ("after-grpo-sampled", sampledAfterGrpo) }
            .Where(s => s.Item2 is not null).Select(s => (s.Item1, s.Item2!)));
        await StageEvaluations.WriteAsync(run, stages, cancellationToken);

        // What the policy was trained and scored in, for `eval run --checkpoint` to put it back there.
        await settings.SaveAsync(checkpoint, cancellationToken);
        await AtomicFile.WriteAllTextAsync(Path.Combine(checkpoint, TrainingConfigFileName), TrainingConfigFile.ToYaml(config), cancellationToken);
        (_, string html, _) = await DeepResearcher.Evaluation.Reporting.RunReport.WriteAsync(run.Root, cancellationToken);
        (double firstReward, double lastReward, int quarter) = await RewardRangeAsync(run.MetricsPath, cancellationToken);
        string cpu = await Core.Machine.CpuModel.DescribeAsync(cancellationToken);
        log.Report(FormattableString.Invariant($"done in {total.Elapsed.TotalMinutes:F1} min ({(elapsedBefore + total.Elapsed.TotalSeconds) / 60:F1} min over all sessions) on {cpu}; checkpoint {checkpoint}; report {html}"));
        return new TrainingResult(initial, afterSft, afterGrpo, firstReward, lastReward, run.Root, checkpoint)
        {
            Elapsed = total.Elapsed,
            ElapsedAllSessions = TimeSpan.FromSeconds(elapsedBefore) + total.Elapsed,
            Cpu = cpu,
            RewardWindow = quarter,
            SampledAfterSft = sampledAfterSft,
            SampledAfterGrpo = sampledAfterGrpo,
        };
    }

    /// <summary>The projections LoRA adapts: attention and MLP, as the issue and PEFT's common Qwen recipe do.</summary>
    private static readonly string[] LoraTargets = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"];

    /// <summary>Demonstrations whose text trains the tokenizer: enough for the vocabulary, far fewer than SFT uses.</summary>
    private const int TokenizerDemos = 256;

    /// <summary>Entity names, aliases and named fact values of the world, each once.</summary>
    private static IEnumerable<string> WorldNames(OfflineWorld world)
        => world.Directory.World.Entities
            .SelectMany(e => e.Aliases.Prepend(e.Name).Concat(e.Facts.Where(f => f.Number == 0).Select(f => f.Value)))
            .Distinct(StringComparer.Ordinal);

    /// <summary>
    /// The mean rollout reward of the first and of the last quarter of the GRPO steps (at least one step each): a step
    /// holds a few questions, so one step's reward says more about its questions than about the policy.
    /// </summary>
    private static async Task<(double First, double Last, int Steps)> RewardRangeAsync(string metricsPath, CancellationToken cancellationToken)
    {
        if (!File.Exists(metricsPath))
        {
            return (double.NaN, double.NaN, 1);
        }

        double[] rewards = [.. (await File.ReadAllLinesAsync(metricsPath, cancellationToken))
            .Where(l => l.Length > 0)
            .Select(l => JsonNode.Parse(l)!["reward_mean"]!.GetValue<double>())];
        if (rewards.Length == 0)
        {
            return (double.NaN, double.NaN, 1);
        }

        int window = Math.Max(1, rewards.Length / 4);
        return (rewards.Take(window).Average(), rewards.TakeLast(window).Average(), window);
    }
}
