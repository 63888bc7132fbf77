using System.Diagnostics;
using DeepResearcher.Core.Agent;
using DeepResearcher.Core.Rewards;
using DeepResearcher.Engine.Model;
using DeepResearcher.Engine.Sampling;
using DeepResearcher.Engine.Tokenization;
using DeepResearcher.Environments.Composition;
using DeepResearcher.Environments.World;
using DeepResearcher.Evaluation.Runs;
using DeepResearcher.Tinker.Client;
using DeepResearcher.Training.Backends;
using DeepResearcher.Training.Checkpoints;
using DeepResearcher.Training.Evaluations;
using DeepResearcher.Training.Pipeline;
using DeepResearcher.Training.Policy;
using DeepResearcher.Web.Caching;
using DeepResearcher.Web.Toolbox;
using DeepResearcher.World.Demonstration;
using DeepResearcher.World.Questions;

namespace DeepResearcher.Recipes.Pipeline;

/// <summary>
/// One training run as <see cref="TrainingPipeline"/>'s stages fill it in: where it writes, what a resumed run found,
/// the world and tools, the tokenizer, model and policy, and the evaluations so far. Disposing it stops what the stages
/// started (sampler, caches, world server), last started first.
/// </summary>
public sealed class TrainingRun(TrainingRunLayout layout, CheckpointDirectory checkpoints, MetricRules metricRules) : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _owned = [];

    public TrainingRunLayout Layout => layout;

    public CheckpointDirectory Checkpoints => checkpoints;

    /// <summary>The reward and the evaluations score alike, so the figures a run reports are on the scale it trained on.</summary>
    public MetricRules MetricRules => metricRules;

    /// <summary>The newest checkpoint a resumed run continues from, and its state; null on a fresh start.</summary>
    public string? Latest { get; init; }

    public TrainerState? Resumed { get; init; }

    /// <summary>The run was stopped in GRPO: the warm start and its reference are done.</summary>
    public bool InGrpo => Resumed?.Stage == "grpo";

    public Stopwatch Clock { get; } = Stopwatch.StartNew();

    /// <summary>Seconds spent in the sessions before this one.</summary>
    public double ElapsedBefore => Resumed?.ElapsedSeconds ?? 0;

    public required RunDirectory Run { get; init; }

    public string WorldDir { get; set; } = string.Empty;

    public OfflineWorld World { get; private set; } = null!;

    public IReadOnlyList<WorldQuestion> Train { get; set; } = [];

    /// <summary>The held-out questions every evaluation scores (the first <c>data.eval_questions</c> of the test split).</summary>
    public IReadOnlyList<WorldQuestion> Test { get; set; } = [];

    /// <summary>The world's tools behind the run's search cache, composed as every command composes them.</summary>
    public ComposedToolbox Tools { get; private set; } = null!;

    public AgentSettings Settings { get; set; } = null!;

    public IToolbox Toolbox => Tools.Toolbox;

    public ResearchAgentOptions AgentOptions { get; set; } = null!;

    /// <summary>The train questions the expert demonstrates (also GRPO's first questions).</summary>
    public List<WorldQuestion> DemoQuestions { get; set; } = [];

    /// <summary>The agent options of a demonstration: no context limit, the demonstrator is not the policy.</summary>
    public ResearchAgentOptions DemoOptions { get; set; } = null!;

    public ExpertNoise Noise { get; set; } = ExpertNoise.None;

    public bool Pretrained { get; set; }

    public BpeTokenizer Bpe { get; set; } = null!;

    public EngineTokenizer Tokenizer { get; set; } = null!;

    public TransformerConfig ModelConfig { get; set; } = null!;

    /// <summary>The in-process model; null with <c>trainer.backend: tinker</c>, whose policy is <see cref="Remote"/>.</summary>
    public TransformerModel Model { get; set; } = null!;

    /// <summary>With <c>trainer.backend: tinker</c>: the service's client and the run's records of it.</summary>
    public TinkerPolicy? Tinker { get; private set; }

    /// <summary>With <c>trainer.backend: tinker</c>: the training run the current stage trains and samples.</summary>
    public TinkerBackend? Remote { get; set; }

    /// <summary>The KL reference on the service (with <c>trainer.backend: tinker</c> and <c>actor.kl_coef</c> above 0).</summary>
    public ILogProbSource? RemoteReference { get; set; }

    /// <summary>The questions come from data files and the tools search the web (the <c>tools</c> section), not the offline world.</summary>
    public bool OnWeb { get; set; }

    public ContinuousBatchingSampler Sampler { get; private set; } = null!;

    public EnginePolicy Policy { get; set; } = null!;

    public CheckpointSaveOptions SaveOptions { get; set; } = null!;

    /// <summary>Pretraining plus SFT steps; 0 = no warm start.</summary>
    public int WarmSteps { get; set; }

    /// <summary>Warm-start steps done: the GRPO checkpoints record it.</summary>
    public int SftDone { get; set; }

    /// <summary>The frozen KL reference; null when <c>actor.kl_coef</c> is 0.</summary>
    public TransformerModel? Reference { get; set; }

    public PolicyEvaluation Initial { get; set; } = null!;

    public PolicyEvaluation AfterSft { get; set; } = null!;

    public PolicyEvaluation? SampledAfterSft { get; set; }

    public PolicyEvaluation AfterGrpo { get; set; } = null!;

    public PolicyEvaluation? SampledAfterGrpo { get; set; }

    public void Own(OfflineWorld world)
    {
        World = world;
        _owned.Add(world);
    }

    public void Own(ComposedToolbox tools)
    {
        Tools = tools;
        _owned.Add(tools);
    }

    public void Own(TinkerPolicy tinker)
    {
        Tinker = tinker;
        _owned.Add(tinker);
    }

    public void Own(ContinuousBatchingSampler sampler)
    {
        Sampler = sampler;
        _owned.Add(sampler);
    }

    public async ValueTask DisposeAsync()
    {
        for (int i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync();
        }

        _owned.Clear();
    }
}
