using System.Diagnostics;
using System.Text.Json.Nodes;
using DeepResearcher.Core.Agent;
using DeepResearcher.Engine.Checkpoints;
using DeepResearcher.Engine.Model;
using DeepResearcher.Engine.Optim;
using DeepResearcher.Engine.Sampling;
using DeepResearcher.Engine.Threading;
using DeepResearcher.Engine.Tokenization;
using DeepResearcher.Environments.Composition;
using DeepResearcher.Environments.World;
using DeepResearcher.Evaluation.Judging;
using DeepResearcher.Evaluation.Runs;
using DeepResearcher.Recipes.Configuration;
using DeepResearcher.Tinker.Client;
using DeepResearcher.Training.Backends;
using DeepResearcher.Training.Checkpoints;
using DeepResearcher.Training.Data;
using DeepResearcher.Training.Evaluations;
using DeepResearcher.Training.Grpo;
using DeepResearcher.Training.Pipeline;
using DeepResearcher.Training.Policy;
using DeepResearcher.Training.Rollouts;
using DeepResearcher.Training.Sft;
using DeepResearcher.Web.Caching;
using DeepResearcher.Web.Reading;
using DeepResearcher.Web.Toolbox;
using DeepResearcher.World.Building;
using DeepResearcher.World.Questions;
using DeepResearcher.World.Storage;

namespace DeepResearcher.Recipes.Pipeline;

/// <summary>
/// The offline main job: in an offline world, train a BPE tokenizer on expert demonstrations, initialise a small
/// Qwen2-architecture model, warm-start it with SFT on the demonstrations, then train it with GRPO through the real
/// tools (loopback HTTP, Serper-compatible search behind a cache, fetcher, extractive reader), evaluating on the
/// held-out test split before and after. Checkpoints (model, optimizer, trainer state) are written atomically every
/// few steps; with <see cref="Resume"/> a killed run continues from the newest one and draws the same batches.
/// Each stage is one method over the <see cref="TrainingRun"/>, and decides from the run's files whether it is done.
/// </summary>
public sealed class TrainingPipeline(TrainingConfig config, string outDir, IProgress<string> log)
{
    /// <summary>The run's effective config, next to the exported checkpoint (provenance; <c>train --config</c> reads it).</summary>
    public const string TrainingConfigFileName = "training_config.yaml";

    private readonly TrainingComponents _components = new(config);

    /// <summary>Continue from the newest checkpoint in the output directory (a fresh start when there is none).</summary>
    public bool Resume { get; init; }

    /// <summary>Called after each checkpoint is in place, with its stage and step (tests stop a run there).</summary>
    public Action<string, int>? CheckpointWritten { get; init; }

    /// <summary>Step-level progress, for a progress bar.</summary>
    public IProgress<TrainingProgress>? Progress { get; init; }

    public async Task<TrainingResult> RunAsync(CancellationToken cancellationToken)
    {
        await TrainingPreflight.CheckAsync(config, cancellationToken);
        int savedParallelism = ComputePool.Shared.Parallelism;
        try
        {
            ComputePool.Shared.Parallelism = ComputeThreads(config.Trainer.Threads, ComputePool.Shared.ThreadCount, log);
            return await RunStagesAsync(cancellationToken);
        }
        finally
        {
            ComputePool.Shared.Parallelism = savedParallelism;
        }
    }

    /// <summary>
    /// Only the first stages of a model from scratch (world, tokenizer, initialised model), written to
    /// <see cref="TrainingRunLayout.InitialModel"/> as a Hugging Face directory with its tokenizer: the base model a
    /// <c>serve training</c> offers, so that <c>trainer.backend: tinker</c> trains the same model this run would.
    /// </summary>
    public async Task<string> WriteInitialModelAsync(CancellationToken cancellationToken)
    {
        if (config.Trainer.Backend != PolicyBackendKind.Local || config.Model.Path.Length > 0)
        {
            throw new ConfigException("an initial model is written for a local model from scratch: leave model.path empty and trainer.backend local");
        }

        await TrainingPreflight.CheckAsync(config, cancellationToken);
        await using var run = new TrainingRun(new TrainingRunLayout(outDir), new CheckpointDirectory(Path.Combine(outDir, "checkpoints"), 1), config.Reward.MetricRules) { Run = new RunDirectory(Path.Combine(outDir, "run")) };
        await PrepareWorldAsync(run, cancellationToken);
        await PrepareTokenizerAsync(run, cancellationToken);
        await PrepareModelAsync(run, cancellationToken);
        string directory = run.Layout.InitialModel;
        string staging = $"{directory}{TrainingCheckpoint.TemporaryMarker}{Guid.NewGuid():N}";
        await HuggingFaceCheckpoint.SaveAsync(run.Model, staging, SafetensorsDType.F32, null, cancellationToken);
        await run.Bpe.SaveAsync(Path.Combine(staging, TrainingCheckpoint.TokenizerFileName), cancellationToken);
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }

        Directory.Move(staging, directory);
        log.Report($"initial model: {directory} (serve it with 'deepresearcher serve training --base-model NAME={directory} --state-dir DIR')");
        return directory;
    }

    /// <summary>
    /// The engine threads <c>trainer.threads</c> asks for (0: all the pool has). Any count gives the same figures (the
    /// engine splits work in fixed chunks and reduces in a fixed order), so this trades only speed, e.g. to leave a core
    /// to other work.
    /// </summary>
    public static int ComputeThreads(int requested, int available, IProgress<string> log)
    {
        if (requested == 0 || requested == available)
        {
            return available;
        }

        if (requested > available)
        {
            log.Report($"trainer.threads: {requested} asked, the engine has {available}; using {available}");
            return available;
        }

        log.Report($"trainer.threads: using {requested} of {available} engine threads");
        return requested;
    }

    private async Task<TrainingResult> RunStagesAsync(CancellationToken cancellationToken)
    {
        await using TrainingRun run = await OpenRunAsync(cancellationToken);

        // 1. The world and its tools; 2. the tokenizer; 3. the model and the policy that samples from it.
        await PrepareWorldAsync(run, cancellationToken);
        await PrepareTokenizerAsync(run, cancellationToken);
        await PrepareModelAsync(run, cancellationToken);
        run.Initial = await EvaluateOnceAsync(run, "initial", cancellationToken);

        // 4. The warm start: language-model pretraining on the demonstrations' text, then SFT on them.
        await WarmStartAsync(run, cancellationToken);
        run.AfterSft = run.WarmSteps > 0 ? await EvaluateOnceAsync(run, "after-sft", cancellationToken) : run.Initial;
        run.SampledAfterSft = config.Rollout.ValN > 0
            ? await EvaluateOnceAsync(run, "after-sft-sampled", cancellationToken, run.Layout.EvaluationRun("after-sft-sampled"), config.Rollout.ValN)
            : null;

        // 5. The frozen KL reference: the policy at the end of the warm start (or the initial model).
        await PrepareReferenceAsync(run, cancellationToken);

        // 6. GRPO through the world's tools.
        await GrpoAsync(run, cancellationToken);
        run.AfterGrpo = await EvaluateOnceAsync(run, "after-grpo", cancellationToken, run.Run);
        run.SampledAfterGrpo = config.Rollout.ValN > 0
            ? await EvaluateOnceAsync(run, "after-grpo-sampled", cancellationToken, run.Layout.EvaluationRun("after-grpo-sampled"), config.Rollout.ValN)
            : null;

        // 7. The exported checkpoint, the comparison by stage and the report.
        return await ExportAsync(run, cancellationToken);
    }

    /// <summary>The run directory, and the checkpoint a resumed run continues from (refused without --resume).</summary>
    private async Task<TrainingRun> OpenRunAsync(CancellationToken cancellationToken)
    {
        var layout = new TrainingRunLayout(outDir);
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

        var run = new TrainingRun(layout, checkpoints, config.Reward.MetricRules) { Latest = latest, Resumed = resumed, Run = new RunDirectory(layout.Run) };
        Directory.CreateDirectory(run.Run.Root);
        return run;
    }

    /// <summary>
    /// The world (built once), served with its tools behind the run's search cache, and its questions. URLs name the
    /// world's virtual origin, not the server's port: they are part of what the policy reads and writes, and must be the
    /// same in this run, on resume and in any later evaluation of the checkpoint.
    /// </summary>
    private async Task PrepareWorldAsync(TrainingRun run, CancellationToken cancellationToken)
    {
        if (config.Tools.Search.Length > 0 || config.Tools.ToolServers.Count > 0)
        {
            await PrepareWebAsync(run, cancellationToken);
            return;
        }

        run.WorldDir = config.World.Dir.Length > 0 ? config.World.Dir : run.Layout.World;
        if (!File.Exists(Path.Combine(run.WorldDir, WorldManifest.FileName)))
        {
            log.Report($"building a {ConfigChoices.WorldSize.Name(config.World.Size)} world (seed {config.World.Seed}) in {run.WorldDir}");
            await WorldBuilder.BuildAsync(new WorldBuildOptions { OutDir = run.WorldDir, Seed = config.World.Seed, Size = config.World.Size }, null, cancellationToken);
        }

        run.Own(await OfflineWorld.StartAsync(run.WorldDir, searchOverHttp: true, config.World.Port, cancellationToken));
        run.Train = await QuestionJsonl.ReadAsync(WorldFiles.FullPath(run.WorldDir, WorldFiles.QuestionFile(QuestionSplit.Train)), cancellationToken);
        IReadOnlyList<WorldQuestion> test = await QuestionJsonl.ReadAsync(WorldFiles.FullPath(run.WorldDir, WorldFiles.QuestionFile(QuestionSplit.Test)), cancellationToken);
        IReadOnlyList<WorldQuestion> world = [.. run.Train, .. test];
        if (config.Data.TrainFiles.Length > 0)
        {
            run.Train = await WorldQuestionFile.ReadAsync("data.train_files", config.Data.TrainFiles, world, run.WorldDir, cancellationToken);
            log.Report($"train questions: {run.Train.Count} from {config.Data.TrainFiles}");
        }

        if (config.Data.ValFiles.Length > 0)
        {
            test = await WorldQuestionFile.ReadAsync("data.val_files", config.Data.ValFiles, world, run.WorldDir, cancellationToken);
            log.Report($"held-out questions: {test.Count} from {config.Data.ValFiles}");
        }
        if (run.Train.Count == 0 || test.Count == 0)
        {
            throw new ConfigException($"{run.WorldDir} has {run.Train.Count} train and {test.Count} test questions; a training run needs both (rebuild the world)");
        }

        run.Test = [.. test.Take(config.Data.EvalQuestions > 0 ? config.Data.EvalQuestions : test.Count)];
        run.Settings = _components.AgentSettings();
        run.Own(await ToolboxComposer.CreateOnWorldAsync(
            run.World, new ToolboxSpec { Profile = run.Settings.ToolProfile(), CachePath = Path.Combine(run.Layout.Root, "search-cache.db") }, cancellationToken));
        run.AgentOptions = run.Settings.ApplyTo(new ResearchAgentOptions
        {
            OnProtocolError = ProtocolErrorPolicy.Terminate,
            Sampling = new Core.Agent.SamplingOptions { Temperature = config.Rollout.Temperature, TopP = config.Rollout.TopP, TopK = config.Rollout.TopK, Seed = (long)config.Trainer.Seed },
        });
        log.Report($"world {run.World.Origin.GetLeftPart(UriPartial.Authority)} served at {run.World.Server.BaseUrl}: {run.Train.Count} train and {run.Test.Count} test questions");
    }

    /// <summary>
    /// The web instead of the world (the <c>tools</c> section): questions from <c>data.train_files</c> and
    /// <c>data.val_files</c>, tools composed as <c>research</c> and <c>tools serve</c> compose them, behind the run's cache.
    /// </summary>
    private async Task PrepareWebAsync(TrainingRun run, CancellationToken cancellationToken)
    {
        run.OnWeb = true;
        run.Train = await WebQuestionFile.ReadAsync(config.Data.TrainFiles, cancellationToken);
        IReadOnlyList<WorldQuestion> test = await WebQuestionFile.ReadAsync(config.Data.ValFiles, cancellationToken);
        run.Test = [.. test.Take(config.Data.EvalQuestions > 0 ? config.Data.EvalQuestions : test.Count)];
        run.Settings = _components.AgentSettings();
        run.Own(await ToolboxComposer.CreateAsync(_components.WebToolboxSpec(run.Settings, Path.Combine(run.Layout.Root, "search-cache.db")), cancellationToken));
        run.AgentOptions = run.Settings.ApplyTo(new ResearchAgentOptions
        {
            OnProtocolError = ProtocolErrorPolicy.Terminate,
            Sampling = new Core.Agent.SamplingOptions { Temperature = config.Rollout.Temperature, TopP = config.Rollout.TopP, TopK = config.Rollout.TopK, Seed = (long)config.Trainer.Seed },
        });
        log.Report($"web tools: {run.Tools.Description}; {run.Train.Count} train and {run.Test.Count} held-out questions");
    }

    /// <summary>
    /// The demonstrated questions, and the tokenizer: trained on the demonstrations' text for a model from scratch (once:
    /// a resumed run reads it back), the checkpoint's own for a pretrained model.
    /// </summary>
    private async Task PrepareTokenizerAsync(TrainingRun run, CancellationToken cancellationToken)
    {
        run.Pretrained = config.Model.Path.Length > 0;
        run.Noise = _components.DemoNoise();
        run.DemoQuestions = [.. DataOrder.Shuffle(run.Train, config.Trainer.Seed, "demos").Take(Math.Max(1, config.Sft.NumDemos))];
        // The demonstrator is not the policy: no context limit, and no tool deadline a loaded machine could miss (a
        // timed-out call would change the demonstrations, the tokenizer and everything after them).
        run.DemoOptions = run.AgentOptions with { MaxContextTokens = int.MaxValue, ToolTimeout = DemonstrationToolTimeout };
        if (config.Trainer.Backend == PolicyBackendKind.Tinker)
        {
            string tokenizer = config.Tinker.Tokenizer.Length > 0 ? config.Tinker.Tokenizer : Path.Combine(config.Model.Path, TrainingCheckpoint.TokenizerFileName);
            run.Bpe = await BpeTokenizer.FromTokenizerJsonAsync(tokenizer, cancellationToken);
            log.Report($"tokenizer: {run.Bpe.VocabSize} tokens, {config.Tinker.BaseModel}'s from {tokenizer}");
        }
        else if (run.Pretrained)
        {
            run.Bpe = await BpeTokenizer.FromTokenizerJsonAsync(Path.Combine(config.Model.Path, TrainingCheckpoint.TokenizerFileName), cancellationToken);
        }
        else if (File.Exists(run.Layout.Tokenizer))
        {
            run.Bpe = await BpeTokenizer.FromTokenizerJsonAsync(run.Layout.Tokenizer, cancellationToken);
            log.Report($"tokenizer: {run.Bpe.VocabSize} tokens, read from {run.Layout.Tokenizer}");
        }
        else
        {
            List<string> texts = config.Sft.Demonstrations.Length > 0
                ? await DemonstrationSet.FileTextsAsync(config.Sft.Demonstrations, cancellationToken)
                : await DemonstrationSet.ExpertTextsAsync(run.DemoQuestions.Take(TokenizerDemos).ToList(), run.Toolbox, run.DemoOptions, run.Noise, config.Trainer.Seed, cancellationToken);
            int demonstrationTexts = texts.Count;
            if (config.Model.TokenizerWorldNames)
            {
                texts.AddRange(WorldNames(run.World).SelectMany(name => Enumerable.Repeat(name, 3)));
            }

            run.Bpe = BpeTrainer.Train(texts, config.Model.VocabSize, EngineTokenizer.ChatTokens, _components.TokenizerSplitPattern());
            await run.Bpe.SaveAsync(run.Layout.Tokenizer, cancellationToken);
            log.Report($"tokenizer: {run.Bpe.VocabSize} tokens trained on {demonstrationTexts} demonstrations{(config.Model.TokenizerWorldNames ? " and the world's names" : string.Empty)}");
        }

        run.Tokenizer = new EngineTokenizer(run.Bpe);
    }

    /// <summary>The model (from scratch, or the checkpoint with LoRA adapters), its sampler and the policy over them.</summary>
    private async Task PrepareModelAsync(TrainingRun run, CancellationToken cancellationToken)
    {
        if (config.Trainer.Backend == PolicyBackendKind.Tinker)
        {
            run.Own(TinkerPolicy.Connect(config, log));
            // A run resumed in the warm start continues its training run; one resumed in GRPO makes its own in GrpoAsync.
            run.Remote = run.Resumed?.Stage == "sft" ? await run.Tinker!.ResumeAsync(run.Latest!, cancellationToken) : await run.Tinker!.CreateAsync(cancellationToken);
            run.Policy = new EnginePolicy(run.Remote, run.Tokenizer, name: config.Tinker.BaseModel);
            return;
        }

        if (run.Pretrained)
        {
            run.Model = HuggingFaceCheckpoint.Load(config.Model.Path);
            run.ModelConfig = run.Model.Config;
            if (config.Model.Lora)
            {
                var random = new Random(DataOrder.Seed32(config.Trainer.Seed, "lora"));
                foreach (LoraAdapter adapter in run.Model.AttachLora(config.Model.LoraRank, config.Model.LoraAlpha, LoraTargets))
                {
                    adapter.InitializeDefault(random);
                }
            }
        }
        else
        {
            run.ModelConfig = new TransformerConfig
            {
                VocabSize = run.Bpe.VocabSize,
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
            run.Model = TransformerModel.Create(run.ModelConfig);
            ModelInitializer.Initialize(run.Model, config.Trainer.Seed);
        }

        TransformerModel model = run.Model;
        log.Report(FormattableString.Invariant($"model: {model.Parameters.Sum(p => (long)p.Length):N0} parameters, {model.TrainableParameters.Sum(p => (long)p.Length):N0} trained{(model.LoraAdapters.Any() ? $" (LoRA rank {config.Model.LoraRank})" : string.Empty)}"));
        run.Own(new ContinuousBatchingSampler(model, run.Bpe, new ContinuousBatchingOptions { MaxBatchSize = 32, MaxTotalTokens = 1 << 20 }));
        run.Policy = new EnginePolicy(new EngineSampler(run.Sampler), run.Tokenizer, name: run.Pretrained ? Path.GetFileName(Path.TrimEndingDirectorySeparator(config.Model.Path)) : "offline-tiny");
        run.SaveOptions = new CheckpointSaveOptions { BaseModelNameOrPath = run.Pretrained ? Path.GetFullPath(config.Model.Path) : null };
    }

    /// <summary>
    /// Pretraining then SFT on the demonstrations, checkpointed as it goes; the batch of step s is a pure function of
    /// (seed, s), so resuming needs only the step. Done when a resumed run is in GRPO, or has every step and the reference.
    /// </summary>
    private async Task WarmStartAsync(TrainingRun run, CancellationToken cancellationToken)
    {
        TransformerModel? model = run.Model;
        run.SftDone = run.Resumed?.SftStepsDone ?? 0;
        AdamW? sftOptimizer = model is null ? null : new AdamW(model.TrainableParameters, new AdamWOptions { WeightDecay = (float)config.Actor.WeightDecay });
        if (run.Resumed?.Stage == "sft" && model is not null)
        {
            await TrainingCheckpoint.LoadAsync(run.Latest!, model, sftOptimizer, cancellationToken);
        }

        int pretrainEnd = config.Sft.PretrainSteps;
        int warmSteps = run.WarmSteps = pretrainEnd + config.Sft.Steps;
        bool referenceSaved = File.Exists(Path.Combine(run.Layout.Reference, TrainingCheckpoint.StateFileName));
        if (warmSteps > 0 && !run.InGrpo && (run.SftDone < warmSteps || !referenceSaved))
        {
            List<PolicySequence> demos = config.Sft.Demonstrations.Length > 0
                ? await DemonstrationSet.FromFileAsync(config.Sft.Demonstrations, run.Bpe, cancellationToken)
                : await DemonstrationSet.ExpertSequencesAsync(run.DemoQuestions, run.Toolbox, run.DemoOptions, run.Noise, config.Trainer.Seed, run.Tokenizer, cancellationToken);
            log.Report($"demonstrations: {demos.Count} trajectories, {demos.Sum(d => d.Length):N0} tokens, {demos.Sum(d => d.PolicyTokens):N0} policy tokens");
            // Pretraining steps learn the whole text: the same sequences with every target in the loss.
            List<PolicySequence> wholeText = [.. demos.Select(d => new PolicySequence(d.Inputs, d.Targets, Enumerable.Repeat((byte)1, d.Length).ToArray(), d.OldLogProbs, d.Advantage))];
            IPolicyBackend sftBackend = run.Remote ?? (IPolicyBackend)new EngineBackend(run.Sampler, sftOptimizer!, config.Actor.MicroBatchTokens, run.SaveOptions);
            var sft = new SupervisedTrainer(sftBackend, _components.AdamParams());
            LearningRateSchedule sftSchedule = _components.WarmStartSchedule(warmSteps);
            var sftClock = Stopwatch.StartNew();
            long sftTokens = 0;
            await using WarmStartLog warmLog = await WarmStartLog.OpenAsync(run.Run, run.SftDone, cancellationToken);
            for (int step = run.SftDone + 1; step <= warmSteps; step++)
            {
                string stage = step <= pretrainEnd ? "pretrain" : "sft";
                List<PolicySequence> source = stage == "pretrain" ? wholeText : demos;
                List<PolicySequence> batch = [.. Enumerable.Range(0, config.Sft.BatchSize).Select(i => source[DataOrder.Index(config.Trainer.Seed, "sft", step, i, source.Count)])];
                float sftLr = sftSchedule.At(step - 1);
                double loss = await sft.StepAsync(batch, sftLr, cancellationToken);
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
                    await SaveCheckpointAsync(run, "sft", step, step, sftOptimizer, cancellationToken);
                }
            }

            // The frozen KL reference is the policy at the end of SFT.
            if (run.Remote is not null)
            {
                await TinkerPolicy.SaveReferenceAsync(run.Remote, run.Layout.Reference, Snapshot(run, "sft", warmSteps, warmSteps), cancellationToken);
            }
            else
            {
                await TrainingCheckpoint.SaveAsync(run.Layout.Reference, model!, null, run.Bpe, Snapshot(run, "sft", warmSteps, warmSteps), run.SaveOptions, cancellationToken);
            }

            run.SftDone = warmSteps;
        }
        else if (run.InGrpo && warmSteps > 0 && (!File.Exists(run.Layout.Evaluation("after-sft")) || (config.Rollout.ValN > 0 && !File.Exists(run.Layout.Evaluation("after-sft-sampled")))))
        {
            // A run resumed in GRPO that lacks an evaluation of the SFT policy (rollout.val_n was raised, or the file
            // was deleted): the frozen reference is that policy. The GRPO checkpoint is loaded over it later.
            if (run.Remote is not null)
            {
                run.Remote = await run.Tinker!.StartFromWeightsAsync(run.Layout.Reference, cancellationToken);
                run.Policy = new EnginePolicy(run.Remote, run.Tokenizer, name: config.Tinker.BaseModel);
            }
            else
            {
                await TrainingCheckpoint.LoadAsync(run.Layout.Reference, model!, null, cancellationToken);
            }
        }
    }

    /// <summary>
    /// The frozen KL reference (none when <c>actor.kl_coef</c> is 0): the saved policy at the end of the warm start, or
    /// without a warm start the model as it is before GRPO (the checkpoint itself for a pretrained model).
    /// </summary>
    private async Task PrepareReferenceAsync(TrainingRun run, CancellationToken cancellationToken)
    {
        if (config.Actor.KlCoef <= 0)
        {
            return;
        }

        bool referenceSaved = File.Exists(Path.Combine(run.Layout.Reference, TrainingCheckpoint.StateFileName));
        if (run.Tinker is not null)
        {
            // The warm start's end as a sampler snapshot, or the base model itself (prompt log-probs of a sampling client).
            run.RemoteReference = run.Tinker.Reference(referenceSaved ? run.Layout.Reference : null);
            return;
        }

        TransformerModel reference;
        if (run.Pretrained)
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
            reference = TransformerModel.Create(run.ModelConfig);
        }

        if (referenceSaved)
        {
            await TrainingCheckpoint.LoadAsync(run.Layout.Reference, reference, null, cancellationToken);
        }
        else if (!run.Pretrained)
        {
            foreach ((Parameter target, Parameter source) in reference.Parameters.Zip(run.Model.Parameters))
            {
                source.Data.CopyTo(target.Data, 0);
            }

            reference.BumpWeightVersion();
        }

        run.Reference = reference;
    }

    /// <summary>GRPO steps from the newest GRPO checkpoint (or the first), with the run's manifest written before the first.</summary>
    private async Task GrpoAsync(TrainingRun run, CancellationToken cancellationToken)
    {
        TransformerModel? model = run.Model;
        ContinuousBatchingSampler? sampler = run.Sampler;
        AdamW? optimizer = model is null ? null : new AdamW(model.TrainableParameters, new AdamWOptions { WeightDecay = (float)config.Actor.WeightDecay });
        int grpoDone = 0;
        if (run.Tinker is not null)
        {
            // GRPO trains a training run of its own: resumed from its checkpoint, or the warm start's end with a fresh
            // optimizer (the in-process trainer's new AdamW); without a warm start, the base model's run as it is.
            if (run.InGrpo)
            {
                run.Remote = await run.Tinker.ResumeAsync(run.Latest!, cancellationToken);
                grpoDone = run.Resumed!.Step;
            }
            else if (run.WarmSteps > 0)
            {
                run.Remote = await run.Tinker.StartFromWeightsAsync(run.Layout.Reference, cancellationToken);
            }

            run.Policy = new EnginePolicy(run.Remote!, run.Tokenizer, name: config.Tinker.BaseModel);
        }
        else if (run.InGrpo)
        {
            TrainerState state = await TrainingCheckpoint.LoadAsync(run.Latest!, model!, optimizer, cancellationToken);
            grpoDone = state.Step;
        }

        var grpo = new GrpoTrainer(
            run.Remote ?? (IPolicyBackend)new EngineBackend(sampler!, optimizer!, config.Actor.MicroBatchTokens, run.SaveOptions),
            run.RemoteReference ?? (run.Reference is null ? null : new EngineLogProbSource(run.Reference, config.Actor.MicroBatchTokens)),
            _components.GrpoOptions());
        await using JudgeCache? judgeCache = _components.UsesJudge ? await JudgeCache.OpenAsync(Path.Combine(run.Layout.Root, "judge-cache.jsonl"), cancellationToken) : null;
        var runner = new RolloutRunner(run.Policy, run.Toolbox, new RolloutOptions
        {
            Reward = _components.Reward(run.MetricRules, judgeCache),
            GroupSize = config.Rollout.N,
            Agent = run.AgentOptions,
            Normalization = _components.AdvantageNormalization(),
        });
        LearningRateSchedule schedule = _components.GrpoSchedule();
        await new RunManifest
        {
            Name = Path.GetFileName(run.Layout.Root),
            Kind = "train",
            Model = run.Tinker is not null ? $"{config.Tinker.BaseModel} on {config.Tinker.BaseUrl} ({(config.Tinker.LoraRank == 0 ? "every weight" : $"LoRA rank {config.Tinker.LoraRank}")})"
                : run.Pretrained ? config.Model.Path + (model!.LoraAdapters.Any() ? " + LoRA" : string.Empty) : "offline-tiny (from scratch)",
            Data = run.OnWeb ? config.Data.TrainFiles : run.WorldDir,
            Tools = run.OnWeb ? run.Tools.Description : $"offline world {run.World.Origin.GetLeftPart(UriPartial.Authority)}",
            Config = TrainingConfigFile.ToJson(config),
        }.SaveAsync(run.Run.ManifestPath, cancellationToken);

        await using GrpoRunLog runLog = await GrpoRunLog.OpenAsync(run.Run, grpoDone, cancellationToken);
        List<WorldQuestion> pool = DataOrder.Shuffle(GrpoQuestionPool.Select(run.Train, run.WarmSteps > 0 && config.Sft.Demonstrations.Length == 0 ? run.DemoQuestions : []), config.Trainer.Seed, "grpo");
        for (int step = grpoDone + 1; step <= config.Trainer.TotalSteps; step++)
        {
            var clock = Stopwatch.StartNew();
            List<RolloutQuestion> batch = [.. Enumerable.Range(0, config.Data.TrainBatchSize)
                .Select(i => pool[(int)(((long)(step - 1) * config.Data.TrainBatchSize + i) % pool.Count)])
                .Select(q => new RolloutQuestion(q.Id, q.Question, q.Answers) { Hops = q.Hops })];
            SearchCacheStatistics cacheBefore = run.Tools.Metrics.SearchCache() ?? NoSearchCache;
            IReadOnlyList<RolloutGroup> groups = await runner.RunAsync(batch, step, cancellationToken);
            SearchCacheStatistics cacheAfter = run.Tools.Metrics.SearchCache() ?? NoSearchCache;
            double rolloutSeconds = clock.Elapsed.TotalSeconds;
            float lr = schedule.At(step - 1);
            GrpoStepStats stats = await grpo.StepAsync(groups, lr, cancellationToken);
            foreach (string id in groups.SelectMany(g => g.Trajectories).Select(t => t.Id))
            {
                sampler?.ReleaseConversation(id);
            }

            long requests = cacheAfter.Requests - cacheBefore.Requests;
            double hitRate = requests == 0 ? 0 : (double)(cacheAfter.Hits + cacheAfter.Coalesced - cacheBefore.Hits - cacheBefore.Coalesced) / requests;
            GrpoStepMetrics metrics = GrpoStepMetrics.Of(step, groups, stats, lr, rolloutSeconds, clock.Elapsed.TotalSeconds - rolloutSeconds, hitRate, run.MetricRules);
            await runLog.AppendAsync(metrics, groups, cancellationToken);
            Progress?.Report(new TrainingProgress("grpo", step, config.Trainer.TotalSteps, FormattableString.Invariant($"reward {metrics.RewardMean:F3}")));
            log.Report(FormattableString.Invariant(
                $"grpo step {step}/{config.Trainer.TotalSteps}: reward {metrics.RewardMean:F3} ± {metrics.RewardStd:F3}, f1 {metrics.F1:F3}, answered {metrics.AnswerRate * 100:F0} %, tool calls {metrics.ToolCalls:F2}, kl {stats.Kl:F4}, entropy {stats.Entropy:F3}, clip {stats.ClipFraction:F3}, |g| {stats.GradNorm:F2}, rollout {rolloutSeconds:F1} s + update {metrics.TimeUpdateSeconds:F1} s"));
            if ((config.Trainer.SaveFreq > 0 && step % config.Trainer.SaveFreq == 0) || step == config.Trainer.TotalSteps)
            {
                await SaveCheckpointAsync(run, "grpo", step, run.SftDone, optimizer, cancellationToken);
            }
        }
    }

    /// <summary>The final model (a PEFT adapter for LoRA), its settings and config, the comparison by stage and the report.</summary>
    private async Task<TrainingResult> ExportAsync(TrainingRun run, CancellationToken cancellationToken)
    {
        string checkpoint = run.Layout.FinalCheckpoint;
        if (run.Remote is not null)
        {
            await run.Tinker!.ExportAsync(run.Remote, checkpoint, cancellationToken);
        }
        else if (run.Model.LoraAdapters.Any())
        {
            // A PEFT adapter next to its base: what peft.PeftModel.from_pretrained(base, dir) opens.
            await LoraCheckpoint.SaveAsync(run.Model, checkpoint, Path.GetFullPath(config.Model.Path), cancellationToken);
        }
        else
        {
            await HuggingFaceCheckpoint.SaveAsync(run.Model, checkpoint, SafetensorsDType.F32, null, cancellationToken);
        }

        await run.Bpe.SaveAsync(Path.Combine(checkpoint, "tokenizer.json"), cancellationToken);
        List<(string, PolicyEvaluation)> stages = [("initial", run.Initial)];
        if (run.WarmSteps > 0)
        {
            stages.Add(("after-sft", run.AfterSft));
        }

        stages.AddRange(new[] { ("after-sft-sampled", run.SampledAfterSft), ("after-grpo", run.AfterGrpo), ("after-grpo-sampled", run.SampledAfterGrpo) }
            .Where(s => s.Item2 is not null).Select(s => (s.Item1, s.Item2!)));
        await StageEvaluations.WriteAsync(run.Run, stages, cancellationToken);

        // What the policy was trained and scored in, for `eval run --checkpoint` to put it back there.
        await run.Settings.SaveAsync(checkpoint, cancellationToken);
        await AtomicFile.WriteAllTextAsync(Path.Combine(checkpoint, TrainingConfigFileName), TrainingConfigFile.ToYaml(config), cancellationToken);
        (_, string html, _) = await DeepResearcher.Evaluation.Reporting.RunReport.WriteAsync(run.Run.Root, cancellationToken);
        (double firstReward, double lastReward, int quarter) = await RewardRangeAsync(run.Run.MetricsPath, cancellationToken);
        string cpu = await Core.Machine.CpuModel.DescribeAsync(cancellationToken);
        TimeSpan elapsed = run.Clock.Elapsed;
        log.Report(FormattableString.Invariant($"done in {elapsed.TotalMinutes:F1} min ({(run.ElapsedBefore + elapsed.TotalSeconds) / 60:F1} min over all sessions) on {cpu}; checkpoint {checkpoint}; report {html}"));
        return new TrainingResult(run.Initial, run.AfterSft, run.AfterGrpo, firstReward, lastReward, run.Run.Root, checkpoint)
        {
            Elapsed = run.Clock.Elapsed,
            ElapsedAllSessions = TimeSpan.FromSeconds(run.ElapsedBefore) + run.Clock.Elapsed,
            Cpu = cpu,
            RewardWindow = quarter,
            SampledAfterSft = run.SampledAfterSft,
            SampledAfterGrpo = run.SampledAfterGrpo,
        };
    }

    /// <summary>An evaluation on the held-out questions, read back when a resumed run already has it.</summary>
    private async Task<PolicyEvaluation> EvaluateOnceAsync(TrainingRun run, string tag, CancellationToken cancellationToken, RunDirectory? results = null, int samples = 0)
    {
        PolicyEvaluation? done = await PolicyEvaluator.LoadAsync(run.Layout.Evaluation(tag), cancellationToken);
        if (done is not null)
        {
            log.Report($"eval {tag}: {done} (from {run.Layout.Evaluation(tag)})");
            return done;
        }

        Progress?.Report(new TrainingProgress("eval", 0, run.Test.Count, tag));
        var clock = Stopwatch.StartNew();
        PolicyEvaluation evaluation = await PolicyEvaluator.EvaluateAsync(
            run.Policy, run.Toolbox, run.AgentOptions, run.Test, tag, samples, cancellationToken, results, run.MetricRules, samples == 0 ? run.Layout.EvaluationRun(tag).TrajectoriesPath : null);
        await PolicyEvaluator.SaveAsync(evaluation, run.Layout.Evaluation(tag), cancellationToken);
        Progress?.Report(new TrainingProgress("eval", run.Test.Count, run.Test.Count, tag));
        log.Report(FormattableString.Invariant($"eval {tag}: {evaluation} ({clock.Elapsed.TotalSeconds:F0} s)"));
        return evaluation;
    }

    private TrainerState Snapshot(TrainingRun run, string stage, int step, int sftDone) => new()
    {
        Stage = stage,
        Step = step,
        Seed = config.Trainer.Seed,
        DataCursor = stage == "grpo" ? (long)step * config.Data.TrainBatchSize : (long)step * config.Sft.BatchSize,
        SftStepsDone = sftDone,
        ElapsedSeconds = run.ElapsedBefore + run.Clock.Elapsed.TotalSeconds,
    };

    private async Task SaveCheckpointAsync(TrainingRun run, string stage, int step, int sftDone, AdamW? optimizer, CancellationToken cancellationToken)
    {
        string path = run.Checkpoints.PathFor(stage, step);
        if (run.Remote is not null)
        {
            await TinkerPolicy.SaveCheckpointAsync(run.Remote, path, Snapshot(run, stage, step, sftDone), cancellationToken);
        }
        else
        {
            await TrainingCheckpoint.SaveAsync(path, run.Model, optimizer!, run.Bpe, Snapshot(run, stage, step, sftDone), run.SaveOptions, cancellationToken);
        }

        run.Checkpoints.Prune();
        log.Report($"checkpoint {Path.GetFileName(path)}");
        CheckpointWritten?.Invoke(stage, step);
    }

    /// <summary>Tools without a search cache of their own here (tool servers keep theirs) count no cache traffic.</summary>
    private static readonly SearchCacheStatistics NoSearchCache = new(0, 0, 0, 0, 0, 0, 0);

    /// <summary>A tool call of the demonstrator waits this long: in the offline world only an overloaded machine is this slow.</summary>
    private static readonly TimeSpan DemonstrationToolTimeout = TimeSpan.FromMinutes(10);

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
